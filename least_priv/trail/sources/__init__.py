"""Where CloudTrail records come from: local files, S3, LookupEvents, Athena."""
