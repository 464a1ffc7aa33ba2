"""Terraform plan JSON (``terraform show -json plan.out``).

Functions are ``aws_lambda_function`` resources, named by address. Their code root is the
``source_dir``/``source_file`` of the ``archive_file`` their ``filename`` comes from
(relative to the directory of the plan file, where Terraform ran), or the ``filename``
itself when it is a directory. Values known at plan time are literals; a value that comes
from another resource becomes a ``TemplateRef`` with the resource's address, attribute and
type, and ``known`` when the plan knows it (a queue's URL is unknown before apply, but its
name is known, so ``known`` is ``https://sqs.*.amazonaws.com/*/orders``).

Environment variables are one map expression in the configuration, so the plan gives the
references of the whole map, not per key. A key whose value is known is matched to the
reference that yields that value; a key whose value is unknown takes the one reference left
that is unknown at plan time, or the one whose names it shares (``QUEUE_URL`` ↔
``aws_sqs_queue.orders.url``); otherwise it stays unknown, with a finding.

Settings use the CloudFormation names the policy stage reads for every format
(``vpc_config`` → ``VpcConfig``, ``tracing_config`` → ``TracingConfig``, ...). Role policies
come from ``aws_iam_role`` (``inline_policy``, ``managed_policy_arns``,
``permissions_boundary``), ``aws_iam_role_policy``, ``aws_iam_role_policy_attachment`` and
``aws_iam_policy_attachment`` (with ``aws_iam_policy`` documents), and
``data.aws_iam_policy_document`` rebuilt from configuration when its JSON is only known after
apply.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from least_priv.infra import codes
from least_priv.infra.cloudformation import customer_key, dig
from least_priv.infra.parts import expand_format, known_pattern, render
from least_priv.infra.positions import NodePath, ParsedDocument
from least_priv.infra.resource_types import TERRAFORM
from least_priv.infra.template import (
    DeclaredPolicy,
    Template,
    TemplateResource,
    external_role,
    make_template,
    managed_policy,
)
from least_priv.infra.terraform_plan import INDEX, PlanIndex, PlannedResource, Reference
from least_priv.model import EventSource, Finding, Function, Part, Severity, TemplateRef, Value

_VERSION = "2012-10-17"
_SOURCE_KINDS = {
    "aws_sqs_queue": "SQS",
    "aws_kinesis_stream": "Kinesis",
    "aws_dynamodb_table": "DynamoDB",
    "aws_msk_cluster": "MSK",
    "aws_msk_serverless_cluster": "MSK",
    "aws_mq_broker": "MQ",
    "aws_docdb_cluster": "DocumentDB",
}
_ARN_KINDS = {
    "sqs": "SQS",
    "kinesis": "Kinesis",
    "dynamodb": "DynamoDB",
    "kafka": "MSK",
    "mq": "MQ",
}
_WORD = re.compile(r"[a-z0-9]+")
# Resources that point at a function / a role / a bucket, and the attribute that does.
_LINKS: dict[str, tuple[tuple[str, tuple[str | int, ...]], ...]] = {
    "aws_lambda_function": (
        ("aws_lambda_event_source_mapping", ("function_name",)),
        ("aws_s3_bucket_notification", ("lambda_function_arn",)),
        ("aws_cloudwatch_event_target", ("arn",)),
        ("aws_sns_topic_subscription", ("endpoint",)),
        ("aws_lambda_function_event_invoke_config", ("function_name",)),
    ),
    "aws_iam_role": (
        ("aws_iam_role_policy", ("role",)),
        ("aws_iam_role_policy_attachment", ("role",)),
        ("aws_iam_policy_attachment", ("roles",)),
    ),
    "aws_s3_bucket": (("aws_s3_bucket_server_side_encryption_configuration", ("bucket",)),),
}


def read_terraform_plan(doc: ParsedDocument) -> Template:
    """Read a Terraform plan JSON that :mod:`positions` parsed."""
    return _Reader(doc).read()


class _Reader:
    def __init__(self, doc: ParsedDocument) -> None:
        self.doc = doc
        self.base_dir = os.path.dirname(doc.path)
        self.plan = PlanIndex(doc.data if isinstance(doc.data, dict) else {})
        self.findings: list[Finding] = list(doc.findings)
        self._names: dict[str, dict[str, list[PlannedResource]]] = {}
        self._link_tables: dict[
            str, dict[str, list[tuple[PlannedResource, tuple[str | int, ...]]]]
        ] = {}
        self._roles: dict[str, list[DeclaredPolicy]] = {}

    def _report(
        self, code: str, path: NodePath, message: str, severity: Severity = Severity.WARNING
    ) -> None:
        self.findings.append(codes.finding(code, self.doc.location(path), message, severity))

    # -- references and values --------------------------------------------------------------

    def ref(self, reference: Reference) -> TemplateRef:
        """A reference as a ``TemplateRef``: known = the planned value, else the pattern the
        resource's planned name gives."""
        target = self.plan.find(reference.address)
        planned = self.plan.attribute(reference)
        if isinstance(planned, str):
            known: str | None = planned
        else:
            kind = TERRAFORM.get(reference.type)
            fmt = kind.format(reference.attribute) if kind else None
            name_value = (
                target.values.get(kind.name_property)
                if target and kind and kind.name_property
                else None
            )
            name: tuple[Part, ...] | None = (name_value,) if isinstance(name_value, str) else None
            known = known_pattern(name, expand_format(fmt, name)) if fmt else None
        return TemplateRef(reference.address, reference.attribute, reference.type, known)

    def _attribute_parts(self, ref: TemplateRef) -> tuple[Part, ...] | None:
        """What a reference evaluates to, as parts with pseudo parameters (for documents)."""
        target = self.plan.find(ref.logical_id)
        if target is None:
            return None
        planned = target.values.get(ref.attribute or "")
        if isinstance(planned, str):
            return (planned,)
        kind = TERRAFORM.get(target.type)
        fmt = kind.format(ref.attribute) if kind else None
        name_value = target.values.get(kind.name_property) if kind and kind.name_property else None
        if fmt is None or not isinstance(name_value, str):
            return None
        return expand_format(fmt, (name_value,))

    def render(self, value: Value) -> str:
        """A string value as policy-document text (``${address.attr}`` when unknown)."""

        def resolve(ref: TemplateRef) -> str | None:
            parts = self._attribute_parts(ref)
            return None if parts is None else render(parts, lambda _: None)

        return render(value.parts, resolve)

    def value(
        self,
        resource: PlannedResource,
        keys: tuple[str | int, ...],
        *,
        candidates: list[Reference] | None = None,
    ) -> Value | None:
        """The value of attribute ``keys`` of ``resource``; None when not set at all."""
        planned = dig(resource.values, *keys)
        refs = candidates if candidates is not None else self.plan.references(resource, *keys)
        attribute_refs = [r for r in refs if r.attribute is not None]
        if planned is not None:
            return self._known(planned, attribute_refs)
        if self.plan.is_unknown(resource, *keys) or attribute_refs:
            if len(attribute_refs) == 1:
                return Value((self.ref(attribute_refs[0]),))
            reason = "known after apply" + (
                " (from " + ", ".join(f"{r.address}.{r.attribute}" for r in attribute_refs) + ")"
                if attribute_refs
                else ""
            )
            return Value.unknown(reason)
        return None

    def expected(self, reference: Reference) -> str | None:
        """The exact text a reference evaluates to, when the plan pins it down: the planned
        attribute, or an attribute that is the resource's planned name (a bucket's ``id``)."""
        planned = self.plan.attribute(reference)
        if isinstance(planned, str):
            return planned
        target = self.plan.find(reference.address)
        kind = TERRAFORM.get(reference.type)
        if target is None or kind is None or not kind.name_property:
            return None
        name = target.values.get(kind.name_property)
        fmt = kind.format(reference.attribute)
        if not isinstance(name, str) or fmt is None:
            return None
        parts = expand_format(fmt, (name,))
        return parts[0] if parts and len(parts) == 1 and isinstance(parts[0], str) else None

    def _known(self, planned: Any, refs: list[Reference]) -> Value:
        if isinstance(planned, dict):
            return Value(
                mapping=tuple((Value.literal(k), self._known(v, refs)) for k, v in planned.items())
            )
        if isinstance(planned, list):
            return Value(sequence=tuple(self._known(item, refs) for item in planned))
        text = "true" if planned is True else "false" if planned is False else str(planned)
        for reference in refs:
            if self.expected(reference) == text:
                return Value(
                    (TemplateRef(reference.address, reference.attribute, reference.type, text),)
                )
        return Value.literal(text)

    # -- the whole plan ---------------------------------------------------------------------

    def read(self) -> Template:
        functions: list[Function] = []
        policies: dict[str, list[DeclaredPolicy]] = {}
        aliases: dict[str, str] = {}
        for resource in self.plan.of_type("aws_lambda_function"):
            function = self._function(resource)
            functions.append(function)
            policies[function.name] = self._role_policies(resource, function)
            name = resource.values.get("function_name")
            if isinstance(name, str) and name != resource.address:
                aliases[name] = resource.address
            if resource.config_address != resource.address:
                aliases.setdefault(resource.config_address, resource.address)
        resources = [self._resource(r) for r in self.plan.resources.values() if r.mode == "managed"]
        extra: list[DeclaredPolicy] = []
        for policy in self.plan.of_type("aws_iam_policy"):
            document = self._policy_document(policy, ("policy",))
            if document is not None:
                extra.append(document)
        for role in self.plan.of_type("aws_iam_role"):
            extra.extend(self._role_resource_policies(role))
        return make_template(
            path=self.doc.path,
            kind="terraform",
            functions=functions,
            resources=resources,
            findings=self.findings,
            documents=[self.doc],
            function_policies=policies,
            extra_policies=extra,
            aliases=aliases,
        )

    # -- one function -----------------------------------------------------------------------

    def _function(self, resource: PlannedResource) -> Function:
        values = resource.values
        code_root = self._code_root(resource)
        handler = values.get("handler") if isinstance(values.get("handler"), str) else ""
        if not handler and values.get("package_type") != "Image":
            self._report(codes.MISSING_HANDLER, resource.path, f"{resource.address} has no handler")
        return Function(
            name=resource.address,
            code_root=code_root,
            handler=str(handler),
            runtime=str(values.get("runtime") or ""),
            env=self._env(resource),
            layers=self._layers(resource),
            events=self._events(resource),
            role=self._role_address(resource),
            settings=self._settings(resource),
            location=self.doc.location(resource.path[:-1]),
        )

    def _local(self, relative: str) -> str:
        return os.path.normpath(os.path.join(self.base_dir, relative))

    def _archive_source(self, reference: Reference) -> str | None:
        """The source directory/file of an ``archive_file`` data source or resource."""
        archive = self.plan.find(reference.address)
        if archive is None or archive.type != "archive_file":
            return None
        for key in ("source_dir", "source_file"):
            value = archive.values.get(key)
            if not isinstance(value, str):
                value = self.plan.constant(archive, key)
            if isinstance(value, str):
                return value
        return None

    def _code_root(self, resource: PlannedResource, *, what: str = "code") -> str:
        values = resource.values
        for reference in self.plan.references(resource, "filename"):
            source = self._archive_source(reference)
            if source is not None:
                return self._checked(self._local(source), resource)
        source = self._module_source_path(resource)
        if source is not None:
            return self._checked(self._local(source), resource)
        filename = values.get("filename")
        if isinstance(filename, str):
            local = self._local(filename)
            if os.path.isdir(local):
                return local
            self._report(
                codes.MISSING_CODE,
                (*resource.path, "filename"),
                f"{resource.address}: {what} is the archive {filename}, not built from an "
                "archive_file in this plan; point least-priv at its source directory",
            )
            return ""
        where = (
            "an S3 object"
            if values.get("s3_bucket")
            else "a container image"
            if values.get("image_uri")
            else "unknown"
        )
        self._report(
            codes.MISSING_CODE,
            resource.path,
            f"{resource.address}: {what} is {where}; there is no local source to analyse",
        )
        return ""

    def _module_source_path(self, resource: PlannedResource) -> str | None:
        """``source_path`` given to the module that builds the function: how the popular
        terraform-aws-modules/lambda module is told where the code is (a path, or the first
        ``{path = ...}`` of a list)."""
        inputs = self.plan.module_inputs.get(INDEX.sub("", resource.module))
        expression = inputs.get("source_path") if inputs else None
        value = expression.get("constant_value") if isinstance(expression, dict) else None
        if isinstance(value, list) and value:
            value = value[0].get("path") if isinstance(value[0], dict) else value[0]
        return value if isinstance(value, str) else None

    def _checked(self, root: str, resource: PlannedResource) -> str:
        if not os.path.exists(root):
            self._report(codes.MISSING_CODE, resource.path, f"code path {root} does not exist")
        return root

    def _env(self, resource: PlannedResource) -> tuple[tuple[str, Value], ...]:
        keys: tuple[str | int, ...] = ("environment", 0, "variables")
        planned = dig(resource.values, *keys)
        unknown = dig(resource.after_unknown, *keys)
        names = set(planned) if isinstance(planned, dict) else set()
        if isinstance(unknown, dict):
            names |= {name for name, flag in unknown.items() if flag is True}
        elif unknown is True:
            self._report(
                codes.UNRESOLVED_VARIABLE,
                (*resource.path, "environment"),
                f"{resource.address}: the environment map is only known after apply",
                Severity.NOTE,
            )
        refs = [r for r in self.plan.references(resource, *keys) if r.attribute is not None]
        if not refs and dig(resource.expressions, *keys) is None:
            # A dynamic environment block is not in the plan's configuration; modules such as
            # terraform-aws-modules/lambda take the map as their environment_variables input.
            refs = [
                r
                for r in self.plan.module_input_references(resource, "environment_variables")
                if r.attribute is not None
            ]
        out: dict[str, Value] = {}
        pending: list[str] = []
        used: set[Reference] = set()
        for name in sorted(names):
            value = planned.get(name) if isinstance(planned, dict) else None
            if value is not None:
                out[name] = self._known(value, refs)
                used.update(r for r in refs if self.expected(r) == str(value))
            else:
                pending.append(name)
        open_refs = [
            r for r in refs if r not in used and not isinstance(self.plan.attribute(r), str)
        ]
        for name in pending:
            chosen = self._pick(name, open_refs, len(pending))
            if chosen is None:
                self._report(
                    codes.UNRESOLVED_REFERENCE,
                    (*resource.path, "environment"),
                    f"{resource.address}: {name} is only known after apply and the plan does not "
                    "say which of "
                    + (", ".join(f"{r.address}.{r.attribute}" for r in open_refs) or "no reference")
                    + " it is",
                    Severity.NOTE,
                )
                out[name] = Value.unknown(f"{name} known after apply")
            else:
                out[name] = Value((self.ref(chosen),))
        return tuple(sorted(out.items()))

    def _pick(self, name: str, refs: list[Reference], pending: int) -> Reference | None:
        if len(refs) == 1 and pending == 1:
            return refs[0]
        words = set(_WORD.findall(name.lower()))
        scored: list[tuple[int, Reference]] = []
        for reference in refs:
            target_words = set(_WORD.findall(reference.address.lower().replace("_", " ")))
            target_words |= set(
                _WORD.findall((reference.attribute or "").lower().replace("_", " "))
            )
            scored.append((len(words & target_words), reference))
        scored.sort(key=lambda item: -item[0])
        if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            return scored[0][1]
        return None

    def _layers(self, resource: PlannedResource) -> tuple[str, ...]:
        out: list[str] = []
        for reference in self.plan.references(resource, "layers"):
            layer = self.plan.find(reference.address)
            if (
                layer is None
                or layer.type != "aws_lambda_layer_version"
                or reference.attribute is None
            ):
                continue
            root = self._code_root(layer, what="layer")
            if root:
                python_dir = os.path.join(root, "python")
                out.append(python_dir if os.path.isdir(python_dir) else root)
        layers = resource.values.get("layers")
        for i, arn in enumerate(layers if isinstance(layers, list) else ()):
            if isinstance(arn, str) and not any(
                self.plan.attribute(r) == arn for r in self.plan.references(resource, "layers")
            ):
                self._report(
                    codes.MISSING_CODE,
                    (*resource.path, "layers", i),
                    f"layer {arn} is not built in this plan; its code is not analysed",
                    Severity.NOTE,
                )
        return tuple(dict.fromkeys(out))

    def _by_name(self, rtype: str) -> dict[str, list[PlannedResource]]:
        """Resources of ``rtype`` by the planned names and ARNs other resources use for them."""
        index = self._names.get(rtype)
        if index is None:
            index = self._names[rtype] = {}
            kind = TERRAFORM.get(rtype)
            keys = {"arn", "id"} | ({kind.name_property} if kind and kind.name_property else set())
            for resource in self.plan.of_type(rtype):
                for key in sorted(keys):
                    value = resource.values.get(key)
                    if isinstance(value, str) and resource not in index.get(value, []):
                        index.setdefault(value, []).append(resource)
        return index

    def _designated(
        self, other: PlannedResource, keys: tuple[str | int, ...], rtype: str
    ) -> list[PlannedResource]:
        """The resources of ``rtype`` that ``other``'s attribute at ``keys`` designates: by
        reference in the configuration, else by planned name/ARN."""
        out: list[PlannedResource] = []
        for reference in self.plan.references(other, *keys):
            target = self.plan.find(reference.address)
            if target is not None and target.type == rtype and target not in out:
                out.append(target)
        if out:
            return out
        value = dig(other.values, *keys)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                out.extend(r for r in self._by_name(rtype).get(item, []) if r not in out)
        return out

    def _links(self, rtype: str) -> dict[str, list[tuple[PlannedResource, tuple[str | int, ...]]]]:
        """Which resources point at each resource of ``rtype`` (a function or a role), and
        through which attribute; built once per type."""
        table = self._link_tables.get(rtype)
        if table is not None:
            return table
        table = self._link_tables[rtype] = {}
        sources: list[tuple[PlannedResource, tuple[str | int, ...]]] = []
        for other_type, keys in _LINKS[rtype]:
            for other in self.plan.of_type(other_type):
                if other_type == "aws_s3_bucket_notification":
                    configs = other.values.get("lambda_function")
                    count = len(configs) if isinstance(configs, list) else 0
                    sources.extend((other, ("lambda_function", i, *keys)) for i in range(count))
                else:
                    sources.append((other, keys))
        for other, keys in sources:
            for target in self._designated(other, keys, rtype):
                table.setdefault(target.address, []).append((other, keys))
        return table

    def _pointing(self, target: PlannedResource, *types: str) -> list[PlannedResource]:
        """The resources of ``types`` that point at ``target``."""
        return [
            other
            for other, _ in self._links(target.type).get(target.address, [])
            if other.type in types
        ]

    def _events(self, function: PlannedResource) -> tuple[EventSource, ...]:
        out: list[EventSource] = []
        for mapping in self._pointing(function, "aws_lambda_event_source_mapping"):
            target = self.value(mapping, ("event_source_arn",))
            out.append(
                EventSource(
                    self._source_kind(mapping, target), target, self.doc.location(mapping.path[:-1])
                )
            )
        for notification in self._pointing(function, "aws_s3_bucket_notification"):
            target = self.value(notification, ("bucket",))
            out.append(EventSource("S3", target, self.doc.location(notification.path[:-1])))
        for event_target in self._pointing(function, "aws_cloudwatch_event_target"):
            kind = "EventBridgeRule"
            for reference in self.plan.references(event_target, "rule"):
                rule = self.plan.find(reference.address)
                if rule is not None and rule.values.get("schedule_expression"):
                    kind = "Schedule"
            out.append(EventSource(kind, None, self.doc.location(event_target.path[:-1])))
        for subscription in self._pointing(function, "aws_sns_topic_subscription"):
            if subscription.values.get("protocol") == "lambda":
                target = self.value(subscription, ("topic_arn",))
                out.append(EventSource("SNS", target, self.doc.location(subscription.path[:-1])))
        return tuple(out)

    def _source_kind(self, mapping: PlannedResource, target: Value | None) -> str:
        for part in target.parts if target is not None else ():
            if isinstance(part, TemplateRef) and part.resource_type in _SOURCE_KINDS:
                return _SOURCE_KINDS[part.resource_type]
            text = (
                part.known
                if isinstance(part, TemplateRef)
                else part
                if isinstance(part, str)
                else None
            )
            if text and text.startswith("arn:") and text.count(":") >= 2:
                service = text.split(":")[2]
                if service in _ARN_KINDS:
                    return _ARN_KINDS[service]
        if mapping.values.get("self_managed_event_source"):
            return "SelfManagedKafka"
        self._report(
            codes.UNKNOWN_EVENT,
            mapping.path,
            f"{mapping.address}: event source kind unknown",
            Severity.NOTE,
        )
        return "EventSourceMapping"

    def _role_address(self, resource: PlannedResource) -> str | None:
        for reference in self.plan.references(resource, "role"):
            target = self.plan.find(reference.address)
            if target is not None and target.type == "aws_iam_role":
                return target.address
        role = resource.values.get("role")
        return role if isinstance(role, str) else None

    def _settings(self, resource: PlannedResource) -> tuple[tuple[str, Value], ...]:
        out: list[tuple[str, Value]] = []

        def block(name: str, mapping: dict[str, str], keys: tuple[str | int, ...]) -> None:
            # A nested block is present when its list has an element, even one whose
            # attributes are all only known after apply ({}).
            if dig(resource.values, *keys) is None and not self.plan.is_unknown(resource, *keys):
                return
            fields: list[tuple[Value, Value]] = []
            for cfn_key, tf_key in mapping.items():
                value = self.value(resource, (*keys, tf_key))
                if value is not None:
                    fields.append((Value.literal(cfn_key), value))
            if fields:
                out.append((name, Value(mapping=tuple(fields))))

        name = self.value(resource, ("function_name",))
        if name is not None:
            out.append(("FunctionName", name))
        mode = dig(resource.values, "tracing_config", 0, "mode")
        if mode is not None:
            block("TracingConfig", {"Mode": "mode"}, ("tracing_config", 0))
        block(
            "VpcConfig",
            {"SubnetIds": "subnet_ids", "SecurityGroupIds": "security_group_ids"},
            ("vpc_config", 0),
        )
        key = self.value(resource, ("kms_key_arn",))
        if key is not None and (key.text is None or key.text):
            out.append(("KmsKeyArn", key))
        block("DeadLetterConfig", {"TargetArn": "target_arn"}, ("dead_letter_config", 0))
        if dig(resource.values, "logging_config", 0, "log_group"):
            block("LoggingConfig", {"LogGroup": "log_group"}, ("logging_config", 0))
        systems = resource.values.get("file_system_config")
        if isinstance(systems, list) and systems:
            items = [
                Value(
                    mapping=tuple(
                        (Value.literal(cfn), value)
                        for cfn, tf in (("Arn", "arn"), ("LocalMountPath", "local_mount_path"))
                        if (value := self.value(resource, ("file_system_config", i, tf)))
                        is not None
                    )
                )
                for i in range(len(systems))
            ]
            out.append(("FileSystemConfigs", Value(sequence=tuple(items))))
        for config in self._pointing(resource, "aws_lambda_function_event_invoke_config"):
            outcomes: list[tuple[Value, Value]] = []
            for cfn_key, tf_key in (("OnSuccess", "on_success"), ("OnFailure", "on_failure")):
                dest = self.value(config, ("destination_config", 0, tf_key, 0, "destination"))
                if dest is not None:
                    outcomes.append((Value.literal(cfn_key), _mapping(Destination=dest)))
            out.append(
                ("EventInvokeConfig", _mapping(DestinationConfig=Value(mapping=tuple(outcomes))))
            )
        for mapping in self._pointing(resource, "aws_lambda_event_source_mapping"):
            keys = ("destination_config", 0, "on_failure", 0, "destination_arn")
            dest = self.value(mapping, keys)
            if dest is not None:
                failure = _mapping(OnFailure=_mapping(Destination=dest))
                out.append(("EventSourceDestinationConfig", failure))
        return tuple(out)

    # -- resources --------------------------------------------------------------------------

    def _resource(self, resource: PlannedResource) -> TemplateResource:
        kind = TERRAFORM.get(resource.type)
        name = resource.values.get(kind.name_property) if kind and kind.name_property else None
        return TemplateResource(
            logical_id=resource.address,
            type=resource.type,
            properties=resource.values,
            location=self.doc.location(resource.path[:-1]),
            kms_key=self._kms_key(resource),
            name=name if isinstance(name, str) else None,
            path=resource.path,
        )

    def _kms_key(self, resource: PlannedResource) -> Value | None:
        values = resource.values
        keys: tuple[str | int, ...] | None = None
        if resource.type in ("aws_sqs_queue", "aws_sns_topic"):
            keys = ("kms_master_key_id",)
        elif resource.type == "aws_dynamodb_table":
            if dig(values, "server_side_encryption", 0, "enabled"):
                keys = ("server_side_encryption", 0, "kms_key_arn")
        elif resource.type in ("aws_secretsmanager_secret", "aws_cloudwatch_log_group") or (
            resource.type == "aws_kinesis_stream" and values.get("encryption_type") == "KMS"
        ):
            keys = ("kms_key_id",)
        elif resource.type == "aws_s3_bucket":
            return self._bucket_key(resource)
        value = self.value(resource, keys) if keys else None
        if value is None or value.text == "":
            return None
        return customer_key(value)

    def _bucket_key(self, bucket: PlannedResource) -> Value | None:
        """A bucket's default encryption key, from its separate encryption resource."""
        for config in self._pointing(bucket, "aws_s3_bucket_server_side_encryption_configuration"):
            rules = config.values.get("rule")
            for i, _ in enumerate(rules if isinstance(rules, list) else ()):
                keys = ("rule", i, "apply_server_side_encryption_by_default", 0)
                if dig(config.values, *keys, "sse_algorithm") in ("aws:kms", "aws:kms:dsse"):
                    value = self.value(config, (*keys, "kms_master_key_id"))
                    return None if value is None or value.text == "" else customer_key(value)
        return None

    # -- role policies ----------------------------------------------------------------------

    def _role_policies(self, function: PlannedResource, record: Function) -> list[DeclaredPolicy]:
        role = self.plan.find(record.role) if record.role else None
        if role is None or role.type != "aws_iam_role":
            what = (
                f"role {record.role} is not created in this plan"
                if record.role
                else ("has no role known at plan time")
            )
            where = (*function.path, "role")
            self._report(
                codes.EXTERNAL_ROLE,
                where,
                f"{function.address}: {what}; compare against the live role (--role-arn) instead",
                Severity.NOTE,
            )
            return [external_role(record.role, self.doc.location(where), where)]
        return self._role_resource_policies(role)

    def _role_resource_policies(self, role: PlannedResource) -> list[DeclaredPolicy]:
        if role.address in self._roles:
            return self._roles[role.address]
        out: list[DeclaredPolicy] = []
        inline = role.values.get("inline_policy")
        for i, item in enumerate(inline if isinstance(inline, list) else ()):
            if isinstance(item, dict) and item.get("policy") not in (None, ""):
                policy = self._policy_document(
                    role,
                    ("inline_policy", i, "policy"),
                    name=str(item.get("name", "")),
                    role=role.address,
                )
                if policy is not None:
                    out.append(policy)
        managed = role.values.get("managed_policy_arns")
        for i, arn in enumerate(sorted(managed) if isinstance(managed, list) else ()):
            out.append(
                self._managed(role, arn, (*role.path, "managed_policy_arns", i), role.address)
            )
        boundary = role.values.get("permissions_boundary")
        if isinstance(boundary, str) and boundary:
            out.append(
                self._managed(
                    role,
                    boundary,
                    (*role.path, "permissions_boundary"),
                    role.address,
                    origin="permissions-boundary",
                )
            )
        for attached in self._pointing(role, "aws_iam_role_policy"):
            policy = self._policy_document(attached, ("policy",), role=role.address)
            if policy is not None:
                out.append(policy)
        for attachment in self._pointing(
            role, "aws_iam_role_policy_attachment", "aws_iam_policy_attachment"
        ):
            out.extend(self._attachment(attachment, role))
        self._roles[role.address] = out
        return out

    def _attachment(
        self, attachment: PlannedResource, role: PlannedResource
    ) -> list[DeclaredPolicy]:
        for reference in self.plan.references(attachment, "policy_arn"):
            policy = self.plan.find(reference.address)
            if policy is not None and policy.type == "aws_iam_policy":
                found = self._policy_document(
                    policy, ("policy",), role=role.address, origin="customer-managed"
                )
                return [found] if found is not None else []
        arn = attachment.values.get("policy_arn")
        if not isinstance(arn, str):
            self._report(
                codes.UNRESOLVED_POLICY_REFERENCE,
                attachment.path,
                f"{attachment.address}: the attached policy is only known after apply",
            )
            return []
        for policy in self._by_name("aws_iam_policy").get(arn, [])[:1]:
            found = self._policy_document(
                policy, ("policy",), role=role.address, origin="customer-managed"
            )
            return [found] if found is not None else []
        return [self._managed(attachment, arn, (*attachment.path, "policy_arn"), role.address)]

    def _managed(
        self,
        owner: PlannedResource,
        arn: str,
        path: NodePath,
        role: str,
        *,
        origin: str = "managed-arn",
    ) -> DeclaredPolicy:
        location = self.doc.location(path)
        self.findings.append(codes.managed_not_expanded(arn, location, "plan"))
        return managed_policy(arn, location, role, path, origin=origin)

    def _policy_document(
        self,
        owner: PlannedResource,
        keys: tuple[str | int, ...],
        *,
        name: str = "",
        role: str | None = None,
        origin: str = "inline",
    ) -> DeclaredPolicy | None:
        """A policy JSON string attribute as a document; rebuilt from the configuration of
        its ``aws_iam_policy_document`` when only known after apply."""
        path = (*owner.path, *keys)
        location = self.doc.location(path)
        label = name or owner.address
        if origin == "inline" and owner.type == "aws_iam_policy":
            origin = "customer-managed"
        text = dig(owner.values, *keys)
        if isinstance(text, str):
            try:
                document = json.loads(text)
            except ValueError:
                self._report(
                    codes.BAD_POLICY_DOCUMENT,
                    path,
                    f"{owner.address}: policy is not JSON",
                    Severity.ERROR,
                )
                return None
            if not isinstance(document, dict) or "Statement" not in document:
                self._report(
                    codes.BAD_POLICY_DOCUMENT,
                    path,
                    f"{owner.address}: policy has no Statement",
                    Severity.ERROR,
                )
            return DeclaredPolicy(
                document if isinstance(document, dict) else {},
                location,
                origin,
                True,
                label,
                None,
                role,
                path,
            )
        for reference in self.plan.references(owner, *keys):
            source = self.plan.find(reference.address)
            if source is not None and source.type == "aws_iam_policy_document":
                document = self._rebuild(source)
                if not isinstance(source.values.get("json"), str):
                    self._report(
                        codes.UNSUPPORTED_INTRINSIC,
                        path,
                        f"{owner.address}: {source.address} is only known after apply; its "
                        "statements are rebuilt from the configuration, where text around a "
                        'reference ("${...}/*") is not recorded',
                        Severity.NOTE,
                    )
                return DeclaredPolicy(document, location, origin, True, label, None, role, path)
        self._report(
            codes.UNRESOLVED_POLICY_REFERENCE,
            path,
            f"{owner.address}: the policy is only known after apply and not built from an "
            "aws_iam_policy_document; its statements are unknown",
        )
        return DeclaredPolicy({}, location, origin, False, label, None, role, path)

    def _rebuild(self, source: PlannedResource) -> dict[str, Any]:
        """An ``aws_iam_policy_document`` from its known JSON, else from its configuration."""
        text = source.values.get("json")
        if isinstance(text, str):
            try:
                document = json.loads(text)
            except ValueError:
                document = None
            if isinstance(document, dict):
                return document
        statements: list[dict[str, Any]] = []
        blocks = source.expressions.get("statement")
        for i, block in enumerate(blocks if isinstance(blocks, list) else ()):
            if not isinstance(block, dict):
                continue
            statement: dict[str, Any] = {}
            sid = self.plan.constant(source, "statement", i, "sid")
            if sid:
                statement["Sid"] = sid
            statement["Effect"] = self.plan.constant(source, "statement", i, "effect") or "Allow"
            for tf_key, iam_key in (
                ("actions", "Action"),
                ("not_actions", "NotAction"),
                ("resources", "Resource"),
                ("not_resources", "NotResource"),
            ):
                if tf_key in block:
                    statement[iam_key] = self._list_expression(source, ("statement", i, tf_key))
            conditions = block.get("condition")
            for j, _ in enumerate(conditions if isinstance(conditions, list) else ()):
                test = self.plan.constant(source, "statement", i, "condition", j, "test")
                variable = self.plan.constant(source, "statement", i, "condition", j, "variable")
                values = self._list_expression(source, ("statement", i, "condition", j, "values"))
                if isinstance(test, str) and isinstance(variable, str):
                    statement.setdefault("Condition", {}).setdefault(test, {})[variable] = values
            statements.append(statement)
        return {"Version": _VERSION, "Statement": statements}

    def _list_expression(self, source: PlannedResource, keys: tuple[str | int, ...]) -> list[str]:
        constant = self.plan.constant(source, *keys)
        if isinstance(constant, list):
            return [str(item) for item in constant]
        out: list[str] = []
        for reference in self.plan.references(source, *keys):
            if reference.attribute is None:
                continue
            out.append(self.render(self.value_of(reference)))
        for name in self.plan.variable_references(source, *keys):
            variable = self.plan.variables.get(name)
            items = variable if isinstance(variable, list) else [variable]
            out.extend(str(item) for item in items if isinstance(item, str | int | float))
        return out or ["*"]

    def value_of(self, reference: Reference) -> Value:
        """A reference as a value (its planned value when known)."""
        planned = self.plan.attribute(reference)
        if isinstance(planned, str):
            return Value((planned,))
        return Value((self.ref(reference),))


def _mapping(**fields: Value) -> Value:
    """A mapping value with literal keys (settings in their CloudFormation shape)."""
    return Value(mapping=tuple((Value.literal(key), value) for key, value in fields.items()))
