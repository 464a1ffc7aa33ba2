"""least-priv: least-privilege IAM policies for AWS Lambda functions, from their code."""

__version__ = "0.1.0"
