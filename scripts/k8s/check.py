#!/usr/bin/env python3
"""Offline check of scripts/k8s/*.yaml (no cluster, no network): docs/cluster.md.

    /usr/bin/python3 scripts/k8s/check.py            # Debian: apt-get install python3-kubernetes
    python3 scripts/k8s/check.py                     # PyYAML only: the schema step is skipped

1. Every file parses as YAML (every document of it).
2. Schema: with the Kubernetes Python client installed (Debian's python3-kubernetes), every
   object is walked against the client's generated models (V1Job, V1PersistentVolumeClaim,
   ...): an unknown field (a typo: `completionmode`, a field at the wrong level) or a value
   of the wrong type is an error. The client's models are those of its Kubernetes version
   (python3-kubernetes 22.6.0 in Debian 12: Kubernetes 1.22); fields the recipes use that
   are newer than that are listed in NEWER below, checked for their type, and reported.
3. The recipe: the shards Job is an Indexed Job (`completionMode: Indexed`) whose command
   uses $JOB_COMPLETION_INDEX in both `--shard INDEX/N` and `--out`, with N equal to
   `completions`, `restartPolicy: Never`; the merge Job runs `manto merge` (with
   `--missing` first); both mount the claim shards.yaml declares, ReadWriteMany.

With MANTO_REQUIRE_K8S_SCHEMA set (CI), a missing client is an error, not a skip.

Exit 0 when every check passes, 1 with one line per problem otherwise.

kubectl cannot do this offline: even `kubectl apply --dry-run=client` fetches the API
server's OpenAPI document and discovery (`connection refused` without a cluster).
"""

import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = ["shards.yaml", "merge.yaml"]

# Fields newer than the Kubernetes version of the Python client's models, with their type
# and the Kubernetes version that has them.
NEWER = {
    ("V1JobSpec", "backoffLimitPerIndex"): ("int", "Kubernetes 1.28 (alpha), 1.29 (beta, on by default), 1.33 (GA)"),
}

KINDS = {
    ("v1", "PersistentVolumeClaim"): "V1PersistentVolumeClaim",
    ("batch/v1", "Job"): "V1Job",
}

problems = []
notes = []


def problem(where, msg):
    problems.append(f"{where}: {msg}")


def primitive_ok(kind, value):
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind in ("object", "datetime", "date"):
        return True
    return None


def walk(client, type_name, value, where):
    """Checks `value` against the client's type `type_name` (a model name, `list[T]`,
    `dict(str, T)` or a primitive)."""
    m = re.fullmatch(r"list\[(.+)\]", type_name)
    if m:
        if not isinstance(value, list):
            return problem(where, f"expected a list ({type_name}), got {type(value).__name__}")
        for i, v in enumerate(value):
            walk(client, m.group(1), v, f"{where}[{i}]")
        return
    m = re.fullmatch(r"dict\(str, (.+)\)", type_name)
    if m:
        if not isinstance(value, dict):
            return problem(where, f"expected a map ({type_name}), got {type(value).__name__}")
        for k, v in value.items():
            inner = m.group(1)
            # Quantities (resources) are int-or-string in Kubernetes.
            if inner == "str" and isinstance(v, (int, float)) and not isinstance(v, bool):
                continue
            walk(client, inner, v, f"{where}.{k}")
        return
    ok = primitive_ok(type_name, value)
    if ok is not None:
        if not ok:
            problem(where, f"expected {type_name}, got {type(value).__name__} {value!r}")
        return
    model = getattr(client, type_name, None)
    if model is None:
        return problem(where, f"the client has no model {type_name}")
    if not isinstance(value, dict):
        return problem(where, f"expected an object ({type_name}), got {type(value).__name__}")
    by_json = {j: p for p, j in model.attribute_map.items()}
    for key, v in value.items():
        if key in by_json:
            walk(client, model.openapi_types[by_json[key]], v, f"{where}.{key}")
        elif (type_name, key) in NEWER:
            kind, since = NEWER[(type_name, key)]
            if primitive_ok(kind, v):
                notes.append(f"{where}.{key}: newer than the client's models ({since}); type {kind} checked")
            else:
                problem(where, f"{key}: expected {kind}, got {v!r}")
        else:
            problem(where, f"unknown field `{key}` in {type_name}")


def load():
    docs = {}
    for name in FILES:
        path = os.path.join(HERE, name)
        try:
            with open(path) as f:
                docs[name] = [d for d in yaml.safe_load_all(f) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            problem(name, f"does not parse as YAML: {e}")
    return docs


def schema(docs):
    try:
        import kubernetes.client as client
        from kubernetes import __version__ as version
    except ImportError:
        if os.environ.get("MANTO_REQUIRE_K8S_SCHEMA"):
            problems.append("schema: no kubernetes Python client and MANTO_REQUIRE_K8S_SCHEMA is set (CI): apt-get install python3-kubernetes, run with /usr/bin/python3")
            return
        notes.append("schema: skipped (no kubernetes Python client; Debian: apt-get install python3-kubernetes, run with /usr/bin/python3)")
        return
    notes.append(f"schema: kubernetes Python client {version}")
    for name, objs in docs.items():
        for i, obj in enumerate(objs):
            where = f"{name}[{i}]"
            key = (obj.get("apiVersion"), obj.get("kind"))
            if key not in KINDS:
                problem(where, f"unexpected apiVersion/kind {key}")
                continue
            walk(client, KINDS[key], obj, f"{where} {key[1]}")


def recipe(docs):
    def find(name, kind):
        return [o for o in docs.get(name, []) if o.get("kind") == kind]

    pvcs = find("shards.yaml", "PersistentVolumeClaim")
    shards = find("shards.yaml", "Job")
    merges = find("merge.yaml", "Job")
    if len(pvcs) != 1 or len(shards) != 1 or len(merges) != 1:
        problem("recipe", "expected one claim and one Job in shards.yaml and one Job in merge.yaml")
        return
    claim = pvcs[0]["metadata"]["name"]
    if "ReadWriteMany" not in pvcs[0]["spec"].get("accessModes", []):
        problem("shards.yaml", "the results claim must be ReadWriteMany (every pod writes to it)")
    spec = shards[0]["spec"]
    if spec.get("completionMode") != "Indexed":
        problem("shards.yaml", "completionMode must be Indexed (pod i runs shard i)")
    n = spec.get("completions")
    pod = spec["template"]["spec"]
    if pod.get("restartPolicy") != "Never":
        problem("shards.yaml", "restartPolicy must be Never (the Job retries a failed index)")
    cmd = " ".join(" ".join(c.get("command", []) + c.get("args", [])) for c in pod["containers"])
    m = re.search(r'--shard\s+"?\$\{?JOB_COMPLETION_INDEX\}?/(\d+)"?', cmd)
    if not m:
        problem("shards.yaml", "the command must pass --shard \"${JOB_COMPLETION_INDEX}/N\"")
    elif int(m.group(1)) != n:
        problem("shards.yaml", f"--shard .../{m.group(1)} but completions: {n} (N appears twice; keep them equal)")
    if not re.search(r'--out\s+"?/results/part-\$\{?JOB_COMPLETION_INDEX\}?\.json', cmd):
        problem("shards.yaml", "the command must write --out /results/part-${JOB_COMPLETION_INDEX}.json")
    if not re.search(r"\bmanto (section|schedule|risk|size)\b", cmd):
        problem("shards.yaml", "the command must run manto section|schedule|risk|size")
    mcmd = " ".join(
        " ".join(c.get("command", []) + c.get("args", []))
        for c in merges[0]["spec"]["template"]["spec"]["containers"]
    )
    if "manto merge --missing /results/part-*.json" not in mcmd or "manto merge /results/part-*.json" not in mcmd:
        problem("merge.yaml", "the merge must check `manto merge --missing` and then merge /results/part-*.json")
    for name, job in (("shards.yaml", shards[0]), ("merge.yaml", merges[0])):
        vols = job["spec"]["template"]["spec"].get("volumes", [])
        claims = [v.get("persistentVolumeClaim", {}).get("claimName") for v in vols]
        if claim not in claims:
            problem(name, f"does not mount the claim `{claim}`")
        mounts = [
            vm.get("mountPath")
            for c in job["spec"]["template"]["spec"]["containers"]
            for vm in c.get("volumeMounts", [])
        ]
        if "/results" not in mounts:
            problem(name, "does not mount the results at /results")


def main():
    docs = load()
    if not problems:
        schema(docs)
        recipe(docs)
    for n in notes:
        print(f"note: {n}")
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"ok: {', '.join(FILES)} ({sum(len(d) for d in docs.values())} objects)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
