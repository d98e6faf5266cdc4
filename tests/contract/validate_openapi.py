#!/usr/bin/env python3
"""The OpenAPI contract against real answers (CTest: contract_openapi, label contract).

   validate_openapi.py OPENAPI_JSON EXCHANGES_DIR

OPENAPI_JSON is resources/api/openapi.json. EXCHANGES_DIR holds the answers the http
suites got, one JSON line each ({method, path, query, status, contentType, body,
bodyLength}), written by tests/support/exchangerecorder.cpp when FLASHSALE_API_RECORD_DIR
is set (CTest sets it for every test labelled http).

1. The document's shape: openapi is "3.1.0", every operation has an operationId (unique),
   a summary, tags and responses, every path parameter is declared, every $ref resolves.
2. Every recorded answer: its method and path match an operation (or, for requests no
   operation takes, the HTTP layer's own answers in x-router-answers), its status is
   documented for it, its content type is the documented one, and its JSON body is valid
   against the documented schema (JSON Schema 2020-12, $refs into the document).
3. Enough evidence: at least 300 answers, and at least 75% of the operations exercised.
4. It can fail: a deliberately broken copy of the document (the sale's remainingStock a
   string, and the most often seen status of one operation removed) must be rejected.

Needs Debian's python3-jsonschema. Exit status 0 when all holds, 1 otherwise."""
import copy
import json
import os
import sys
import warnings

import jsonschema

MIN_EXCHANGES = 300
MIN_COVERAGE = 0.75
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SHOWN_ERRORS = 25

# jsonschema 4.18+ prefers the referencing library; Debian 12's 4.10 has only RefResolver,
# which later versions still accept (with a deprecation warning, not wanted here).
warnings.filterwarnings("ignore", category=DeprecationWarning)


def escape(token):
    return token.replace("~", "~0").replace("/", "~1")


def at_pointer(doc, pointer):
    """The node at a local reference ("#/components/schemas/Sale"), or raises KeyError."""
    if not pointer.startswith("#"):
        raise KeyError(f"not a local reference: {pointer}")
    node = doc
    for token in [t for t in pointer[1:].split("/") if t != ""]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            raise KeyError(pointer)
    return node


def follow(doc, node, pointer):
    """Follows $ref chains of responses and parameters: (node, its pointer)."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            raise KeyError(f"$ref cycle at {ref}")
        seen.add(ref)
        node, pointer = at_pointer(doc, ref), ref
    return node, pointer


def media_type(value):
    """A content type compared without case or spaces around its parameters."""
    return "; ".join(part.strip() for part in (value or "").lower().split(";") if part.strip())


def is_json(media):
    base = media.split(";")[0]
    return base == "application/json" or base.endswith("+json")


def all_refs(node, where="#"):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from all_refs(value, f"{where}/{escape(str(key))}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from all_refs(value, f"{where}/{i}")


def operations(doc):
    """(method, template, operation, its pointer, path item) for every operation."""
    for template, item in doc.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield method.upper(), template, item[method], f"#/paths/{escape(template)}/{method}", item


def check_shape(doc):
    problems = []
    if doc.get("openapi") != "3.1.0":
        problems.append(f'openapi is {doc.get("openapi")!r}, not "3.1.0"')
    for where, ref in all_refs(doc):
        try:
            at_pointer(doc, ref)
        except (KeyError, ValueError, IndexError):
            problems.append(f"{where}: $ref {ref} does not resolve")
    if problems:
        return problems  # the checks below follow references
    ids = {}
    schemes = doc.get("components", {}).get("securitySchemes", {})
    for method, template, op, pointer, item in operations(doc):
        name = f"{method} {template}"
        op_id = op.get("operationId")
        if not op_id:
            problems.append(f"{name}: no operationId")
        elif op_id in ids:
            problems.append(f"{name}: operationId {op_id} is also {ids[op_id]}'s")
        else:
            ids[op_id] = name
        if not op.get("summary"):
            problems.append(f"{name}: no summary")
        if not op.get("tags"):
            problems.append(f"{name}: no tags")
        if not op.get("responses"):
            problems.append(f"{name}: no responses")
        for requirement in op.get("security", []):
            for scheme in requirement:
                if scheme not in schemes:
                    problems.append(f"{name}: security scheme {scheme} is not in components.securitySchemes")
        declared = set()
        for parameter in item.get("parameters", []) + op.get("parameters", []):
            parameter, _ = follow(doc, parameter, "")
            if parameter.get("in") == "path":
                declared.add(parameter.get("name"))
        for segment in template.split("/"):
            if segment.startswith("{") and segment.endswith("}") and segment[1:-1] not in declared:
                problems.append(f"{name}: path parameter {segment} is not declared")
    router = doc.get("x-router-answers", {}).get("responses")
    if not isinstance(router, dict) or not router:
        problems.append("x-router-answers.responses is missing: the HTTP layer's own answers are not documented")
    return problems


class Contract:
    def __init__(self, doc):
        self.doc = doc
        self.resolver = jsonschema.RefResolver(base_uri="", referrer=doc)
        self.validators = {}
        self.routes = []
        for method, template, op, pointer, _ in operations(doc):
            segments = [s for s in template.split("/") if s]
            literals = sum(1 for s in segments if not s.startswith("{"))
            self.routes.append((method, template, segments, literals, op, pointer))
        # Literal segments win over captures, as in the server's router (which lists them first).
        self.routes.sort(key=lambda r: -r[3])
        self.router_answers = doc.get("x-router-answers", {}).get("responses", {})

    def match(self, method, path):
        """The operation taking this request: (name, operation, pointer), or None."""
        segments = [s for s in path.split("/") if s]
        wanted = "GET" if method == "HEAD" else method
        for route_method, template, pattern, _, op, pointer in self.routes:
            if route_method != wanted or len(pattern) != len(segments):
                continue
            if all(p.startswith("{") or p == s for p, s in zip(pattern, segments)):
                return f"{route_method} {template}", op, pointer
        return None

    def validator(self, pointer):
        if pointer not in self.validators:
            self.validators[pointer] = jsonschema.Draft202012Validator({"$ref": pointer}, resolver=self.resolver)
        return self.validators[pointer]

    def check_answer(self, exchange, responses, responses_pointer):
        """Problems of one answer against a responses object."""
        method = exchange["method"]
        status = str(exchange["status"])
        key = status if status in responses else f"{status[0]}XX" if f"{status[0]}XX" in responses else (
            "default" if "default" in responses else None)
        if key is None:
            return [f"status {status} is not documented (documented: {', '.join(sorted(responses))})"]
        response, pointer = follow(self.doc, responses[key], f"{responses_pointer}/{escape(key)}")
        allowed_methods = response.get("x-methods")
        if allowed_methods and method not in allowed_methods:
            return [f"status {status} is documented only for {', '.join(allowed_methods)}"]
        content = response.get("content") or {}
        actual = media_type(exchange.get("contentType"))
        if not content:
            if exchange.get("bodyLength", 0) != 0 and method != "HEAD":
                return [f"status {status} is documented without a body, but {exchange['bodyLength']} bytes came ({actual or 'no type'})"]
            return []
        documented = {media_type(k): k for k in content}
        if actual not in documented:
            return [f"content type {actual or '(none)'} is not the documented {' or '.join(sorted(documented))}"]
        media_key = documented[actual]
        if not is_json(actual) or method == "HEAD":
            return []
        body = exchange.get("body")
        if body is None:
            return [f"the body is not JSON ({exchange.get('bodyLength', 0)} bytes of {actual})"]
        if "schema" not in content[media_key]:
            return []
        schema_pointer = f"{pointer}/content/{escape(media_key)}/schema"
        errors = sorted(self.validator(schema_pointer).iter_errors(body), key=lambda e: list(e.absolute_path))
        return [f"body at /{'/'.join(str(p) for p in e.absolute_path)}: {e.message} (schema {'/'.join(str(p) for p in e.absolute_schema_path)})"
                for e in errors[:5]]

    def check(self, exchange):
        """(operation name or None, problems) for one recorded answer."""
        found = self.match(exchange["method"], exchange["path"])
        if found is None:
            problems = self.check_answer(exchange, self.router_answers, "#/x-router-answers/responses")
            if problems:
                problems = [f"no operation takes {exchange['method']} {exchange['path']}, and it is not an answer of "
                            f"the HTTP layer (x-router-answers): {problems[0]}"]
            return None, problems
        name, op, pointer = found
        return name, self.check_answer(exchange, op.get("responses", {}), f"{pointer}/responses")


def read_exchanges(directory):
    exchanges = []
    problems = []
    if not os.path.isdir(directory):
        return exchanges, [f"{directory} does not exist: run the http suites first (ctest -L http)"]
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".jsonl"):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    exchange = json.loads(line)
                    for field in ("method", "path", "status"):
                        if field not in exchange:
                            raise ValueError(f"no {field}")
                except ValueError as e:
                    problems.append(f"{name}:{number}: not a recorded exchange ({e})")
                    continue
                exchange["where"] = f"{name}:{number}"
                exchanges.append(exchange)
    return exchanges, problems


def describe(exchange):
    query = f"?{exchange['query']}" if exchange.get("query") else ""
    return (f"{exchange['method']} {exchange['path']}{query} -> {exchange['status']} "
            f"{exchange.get('contentType') or '(no content type)'} [{exchange['where']}]")


def validate(doc, exchanges):
    """(problems as (exchange, message), {(operation, status): count}, router answers)."""
    contract = Contract(doc)
    problems = []
    seen = {}
    router = 0
    for exchange in exchanges:
        name, found = contract.check(exchange)
        if name is None:
            router += 1
        else:
            key = (name, str(exchange["status"]))
            seen[key] = seen.get(key, 0) + 1
        problems.extend((exchange, message) for message in found)
    return problems, seen, router


def broken_copy(doc, seen):
    """The document with two mistakes the check must find, and what they are: the sale's
    remainingStock a string, and the most often seen status of one operation removed."""
    broken = copy.deepcopy(doc)
    broken["components"]["schemas"]["Sale"]["properties"]["remainingStock"] = {"type": "string"}
    if not seen:
        return broken, None
    (name, status), _ = max(seen.items(), key=lambda item: item[1])
    method, template = name.split(" ", 1)
    del broken["paths"][template][method.lower()]["responses"][status]
    return broken, (name, status)


def rejects(doc, broken, removed, exchanges):
    """Whether the broken copy is refused for both of its mistakes; and how many answers it fails."""
    contract = Contract(doc)
    problems, _, _ = validate(broken, exchanges)
    string_stock = any("remainingStock" in message and "'string'" in message for _, message in problems)
    lost_status = removed is not None and any(
        message.startswith(f"status {removed[1]} is not documented")
        and (contract.match(exchange["method"], exchange["path"]) or ("",))[0] == removed[0]
        for exchange, message in problems)
    return string_stock, lost_status, len(problems)


def main(document_path, exchanges_dir):
    with open(document_path, encoding="utf-8") as f:
        doc = json.load(f)
    failures = []
    shape = check_shape(doc)
    for problem in shape:
        print(f"document: {problem}")
    if shape:
        print(f"FAIL: {document_path} is not a sound OpenAPI 3.1 document ({len(shape)} problems)")
        return 1

    exchanges, unreadable = read_exchanges(exchanges_dir)
    for problem in unreadable:
        print(f"recording: {problem}")
    failures.extend(unreadable)
    problems, seen, router = validate(doc, exchanges)
    if problems:
        print(f"{len(problems)} answers disagree with the document; the first {min(SHOWN_ERRORS, len(problems))}:")
        for exchange, message in problems[:SHOWN_ERRORS]:
            print(f"  {describe(exchange)}\n      {message}")
        failures.append("answers disagree with the document")

    names = [f"{method} {template}" for method, template, *_ in operations(doc)]
    exercised_operations = {name for name, _ in seen}
    exercised = [n for n in names if n in exercised_operations]
    coverage = len(exercised) / len(names) if names else 0.0
    print(f"coverage: {len(exercised)}/{len(names)} operations exercised ({coverage:.0%}), {len(exchanges)} exchanges "
          f"({router} answered by the HTTP layer before any operation)")
    documented = [(f"{method} {template}", status) for method, template, op, *_ in operations(doc) for status in op["responses"]]
    print(f"responses: {sum(1 for d in documented if d in seen)}/{len(documented)} documented statuses seen")
    unexercised = [n for n in names if n not in exercised_operations]
    if unexercised:
        print("not exercised: " + ", ".join(unexercised))
    if len(exchanges) < MIN_EXCHANGES:
        failures.append(f"only {len(exchanges)} exchanges recorded in {exchanges_dir} (at least {MIN_EXCHANGES}): "
                        "run the http suites first (ctest -L http)")
    if coverage < MIN_COVERAGE:
        failures.append(f"only {coverage:.0%} of the operations exercised (at least {MIN_COVERAGE:.0%})")

    # The check must be able to fail: a broken document is rejected for both mistakes.
    broken, removed = broken_copy(doc, seen)
    string_stock, lost_status, disagreements = rejects(doc, broken, removed, exchanges)
    if string_stock and lost_status:
        print(f"self-check: a copy with Sale.remainingStock a string and {removed[0]} without {removed[1]} is rejected "
              f"({disagreements} disagreements)")
    else:
        failures.append("self-check: the deliberately broken copy of the document was not rejected "
                        f"(remainingStock as a string found: {string_stock}; status {removed} removal found: {lost_status})")

    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print(f"OK: {len(exchanges)} answers match {document_path}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
