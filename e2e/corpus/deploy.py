"""Deploys CloudFormation into an EC2 endpoint with cfnlite (the corpus's engine), the way
CloudFormation would, and prints {"vpc": id, "skipped": [...]} as JSON.

  deploy.py network  CORPUS_DIR ENDPOINT NAME              one network of index.json, its
                                                             stacks in order, wired as its
                                                             parent stacks wire them
  deploy.py template CORPUS_DIR ENDPOINT FILE REGION PARAMS  one template (PARAMS: JSON)
"""
import json, os, re, sys

import boto3

mode, corpus, endpoint = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, corpus)
import cfnlite  # noqa: E402


def session(region):
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                         region_name=region)


def the_vpc(stack):
    for logical_id, resource in (stack.t.get("Resources") or {}).items():
        if resource.get("Type") == "AWS::EC2::VPC" and logical_id in stack.physical:
            return stack.physical[logical_id]
    raise SystemExit("the template has no VPC")


if mode == "network":
    name = sys.argv[4]
    index = json.load(open(os.path.join(corpus, "index.json")))
    network = next(n for n in index if n["name"] == name)
    exports, stacks = {}, {}
    for spec in network["stacks"]:
        def wired(value):
            def one(match):
                kind, rest = match.group(1), match.group(2)
                if kind == "stack":
                    return stacks[rest].name
                stack_id, key = rest.split(":", 1)
                return str(stacks[stack_id].outputs[key])
            return re.sub(r"\{\{(stack|output):([^}]*)\}\}", one, value) if isinstance(value, str) else value
        parameters = {k: wired(v) for k, v in spec["parameters"].items()}
        text = open(os.path.join(corpus, spec["template"])).read()
        stack = cfnlite.Stack(session(network["region"]), network["region"], f"{name}-{spec['id']}",
                              text, parameters, exports, endpoint)
        stacks[spec["id"]] = stack.deploy()
    vpc = stacks[network["vpc"]["stack"]].physical[network["vpc"]["logical_id"]]
    skipped = [s for stack in stacks.values() for s in stack.skipped]
elif mode == "template":
    path, region, parameters = sys.argv[4], sys.argv[5], json.loads(sys.argv[6])
    stack = cfnlite.Stack(session(region), region, "moat-export", open(path).read(), parameters, {},
                          endpoint).deploy()
    vpc, skipped = the_vpc(stack), stack.skipped
else:
    raise SystemExit(f"unknown mode {mode}")
print(json.dumps({"vpc": vpc, "skipped": skipped}))
