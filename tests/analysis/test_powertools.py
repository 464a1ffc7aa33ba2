"""Powertools for AWS Lambda: what each utility really calls on the caller's behalf."""

from __future__ import annotations

from least_priv.model import CallKind


def test_parameters_functions(project) -> None:
    proj = project(
        {
            "app.py": """
            import os
            from aws_lambda_powertools.utilities import parameters
            from aws_lambda_powertools.utilities.parameters import get_secret

            def handler(event, context):
                api_key = parameters.get_parameter("/app/api-key", decrypt=True, max_age=300)
                config = parameters.get_parameters("/app/config/", recursive=True)
                many = parameters.get_parameters_by_name(parameters={"/app/a": {}, "/app/b": {}})
                db = get_secret(os.environ["DB_SECRET"], transform="json")
                flags = parameters.get_app_config(
                    name="flags", environment="prod", application="shop"
                )
                return api_key, config, many, db, flags
            """
        }
    )
    assert proj.calls("app.handler") == [
        "appconfigdata.GetLatestConfiguration()",
        "appconfigdata.StartConfigurationSession(ApplicationIdentifier=shop, "
        "ConfigurationProfileIdentifier=flags, EnvironmentIdentifier=prod)",
        "secretsmanager.GetSecretValue(SecretId=${DB_SECRET})",
        "ssm.GetParameter(Name=/app/a)",
        "ssm.GetParameter(Name=/app/api-key, WithDecryption=True)",
        "ssm.GetParameter(Name=/app/b)",
        "ssm.GetParameters(Names=[/app/a, /app/b])",
        "ssm.GetParametersByPath(Path=/app/config/)",
    ]
    assert {c.kind for c in proj.analyze("app.handler").calls} == {CallKind.LIBRARY}


def test_providers_get(project) -> None:
    calls = project(
        {
            "app.py": """
            from aws_lambda_powertools.utilities.parameters import (
                AppConfigProvider, DynamoDBProvider, SecretsProvider, SSMProvider,
            )
            ssm = SSMProvider()
            secrets = SecretsProvider()
            ddb = DynamoDBProvider(table_name="params")
            appconfig = AppConfigProvider(environment="prod", application="shop")

            def handler(event, context):
                ssm.get("/a")
                ssm.get_multiple("/b/")
                secrets.get("db-creds")
                ddb.get("feature-x")
                ddb.get_multiple("features")
                appconfig.get("flags")
            """
        }
    ).calls("app.handler")
    assert calls == [
        "appconfigdata.GetLatestConfiguration()",
        "appconfigdata.StartConfigurationSession(ApplicationIdentifier=shop, "
        "ConfigurationProfileIdentifier=flags, EnvironmentIdentifier=prod)",
        "dynamodb.GetItem(TableName=params)",
        "dynamodb.Query(TableName=params)",
        "secretsmanager.GetSecretValue(SecretId=db-creds)",
        "ssm.GetParameter(Name=/a)",
        "ssm.GetParametersByPath(Path=/b/)",
    ]


def test_idempotency_with_dynamodb_persistence_layer(project) -> None:
    calls = project(
        {
            "app.py": """
            import os
            from aws_lambda_powertools.utilities.idempotency import (
                DynamoDBPersistenceLayer, IdempotencyConfig, idempotent, idempotent_function,
            )
            persistence = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])
            config = IdempotencyConfig(event_key_jmespath="body")

            @idempotent_function(data_keyword_argument="order", persistence_store=persistence)
            def process(order):
                return order

            @idempotent(persistence_store=persistence, config=config)
            def handler(event, context):
                return process(order=event)
            """
        }
    ).calls("app.handler")
    assert calls == [
        "dynamodb.DeleteItem(TableName=${IDEMPOTENCY_TABLE})",
        "dynamodb.GetItem(TableName=${IDEMPOTENCY_TABLE})",
        "dynamodb.PutItem(TableName=${IDEMPOTENCY_TABLE})",
        "dynamodb.UpdateItem(TableName=${IDEMPOTENCY_TABLE})",
    ]


def test_persistence_layer_nobody_uses_needs_nothing(project) -> None:
    calls = project(
        {
            "app.py": """
            from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
            persistence = DynamoDBPersistenceLayer(table_name="idem")
            def handler(event, context):
                return 1
            """
        }
    ).calls("app.handler")
    assert calls == []


def test_streaming_feature_flags_and_data_masking(project) -> None:
    calls = project(
        {
            "app.py": """
            from aws_lambda_powertools.utilities.streaming import S3Object
            from aws_lambda_powertools.utilities.feature_flags import AppConfigStore, FeatureFlags
            from aws_lambda_powertools.utilities.data_masking import DataMasking
            from aws_lambda_powertools.utilities.data_masking.provider.kms import (
                aws_encryption_sdk,
            )
            store = AppConfigStore(environment="prod", application="shop", name="features")
            flags = FeatureFlags(store=store)
            KEY = "arn:aws:kms:us-east-1:1:key/k"
            provider = aws_encryption_sdk.AWSEncryptionSDKProvider(keys=[KEY])
            masking = DataMasking(provider=provider)

            def handler(event, context):
                for line in S3Object(bucket="exports", key=event["key"]):
                    pass
                return flags.evaluate(name="beta", default=False)
            """
        }
    ).calls("app.handler")
    assert calls == [
        "appconfigdata.GetLatestConfiguration()",
        "appconfigdata.StartConfigurationSession(ApplicationIdentifier=shop, "
        "ConfigurationProfileIdentifier=features, EnvironmentIdentifier=prod)",
        "kms.Decrypt(KeyId=arn:aws:kms:us-east-1:1:key/k)",
        "kms.GenerateDataKey(KeyId=arn:aws:kms:us-east-1:1:key/k)",
        "s3.GetObject(Bucket=exports, Key=*)",
        "s3.HeadObject(Bucket=exports, Key=*)",
    ]


def test_logger_tracer_metrics_call_no_aws_api(project) -> None:
    result = project(
        {
            "app.py": """
            from aws_lambda_powertools import Logger, Metrics, Tracer
            logger = Logger()
            tracer = Tracer()
            metrics = Metrics(namespace="shop")

            @logger.inject_lambda_context
            @tracer.capture_lambda_handler
            @metrics.log_metrics
            def handler(event, context):
                metrics.add_metric(name="orders", unit="Count", value=1)
                logger.info("done")
            """
        }
    ).analyze("app.handler")
    assert result.calls == ()
    assert result.findings == ()
