"""Drives the KV v2 test server with hvac (PyPI), the reference Python client of Vault/OpenBao.

Reads VAULT_URL, VAULT_TOKEN, VAULT_NAMESPACE and VAULT_MOUNT; prints one JSON object of what it saw.
"""
import json
import os
import sys

import hvac
import hvac.exceptions

url, token, namespace, mount = (os.environ[k] for k in ("VAULT_URL", "VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_MOUNT"))
# strict_http: hvac sends LIST as `GET …?list=true` (Vault's documented equivalent) instead of the non-standard LIST
# verb, which the NIO HTTP/1 parser of the Swift test server refuses.
client = hvac.Client(url=url, token=token, namespace=namespace, strict_http=True)
kv = client.secrets.kv.v2
out = {}

kv.create_or_update_secret(path="hvac/one", secret={"value": "first"}, mount_point=mount)
kv.create_or_update_secret(path="hvac/one", secret={"value": "from hvac"}, mount_point=mount)
kv.create_or_update_secret(path="hvac/sub/two", secret={"value": "second"}, mount_point=mount)
read = kv.read_secret_version(path="hvac/one", mount_point=mount, raise_on_deleted_version=True)
out["read"] = read["data"]["data"]["value"]
out["version"] = str(read["data"]["metadata"]["version"])
out["list"] = ",".join(kv.list_secrets(path="hvac", mount_point=mount)["data"]["keys"])
out["swift"] = kv.read_secret_version(path="swift/written", mount_point=mount, raise_on_deleted_version=True)["data"]["data"]["value"]
kv.read_secret_metadata(path="hvac/one", mount_point=mount)
kv.delete_metadata_and_all_versions(path="hvac/one", mount_point=mount)
try:
    kv.read_secret_version(path="hvac/one", mount_point=mount, raise_on_deleted_version=True)
    out["afterDelete"] = "still there"
except hvac.exceptions.InvalidPath:
    out["afterDelete"] = "InvalidPath"
try:
    hvac.Client(url=url, token="s.wrong", namespace=namespace, strict_http=True).secrets.kv.v2.read_secret_version(
        path="hvac/sub/two", mount_point=mount, raise_on_deleted_version=True)
    out["wrongToken"] = "allowed"
except hvac.exceptions.Forbidden:
    out["wrongToken"] = "Forbidden"

json.dump(out, sys.stdout)
