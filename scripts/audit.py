"""Audit the installed Python packages for known vulnerabilities with pip-audit (run by `make test`).

Fails (exit 1) when pip-audit reports any vulnerability. pip-audit asks PyPI's JSON API for each
installed release; where that service cannot be reached, it skips the package and this script says
how many were skipped instead of failing: `make test` must still run offline. Set
TOM_AUDIT_STRICT=1 (or run `pip-audit --strict` yourself) to fail on skipped packages too, and
TOM_AUDIT_OSV_URL to ask an OSV server (a mirror inside your network) instead of PyPI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def main() -> int:
    cmd = [str(BIN / "pip-audit"), "--skip-editable", "--progress-spinner", "off", "--format", "json"]
    if os.environ.get("TOM_AUDIT_OSV_URL"):
        cmd += ["--vulnerability-service", "osv", "--osv-url", os.environ["TOM_AUDIT_OSV_URL"]]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    try:
        deps = json.loads(done.stdout)["dependencies"]
    except (ValueError, KeyError):
        print(f"audit: pip-audit failed: {(done.stderr.strip().splitlines() or ['no output'])[-1]}", file=sys.stderr)
        return 2
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if "skip_reason" in d and "editable" not in d["skip_reason"]]
    audited = len(deps) - len(skipped) - sum("editable" in d.get("skip_reason", "") for d in deps)
    for d in vulnerable:
        for v in d["vulns"]:
            fix = ", ".join(v.get("fix_versions") or []) or "no fixed release yet"
            print(f"audit: {d['name']} {d['version']}: {v['id']} (fixed in: {fix})", file=sys.stderr)
    print(f"audit: {audited} packages audited, {len(vulnerable)} with known vulnerabilities, "
          f"{len(skipped)} could not be audited" + (" (vulnerability service unreachable?)" if skipped else ""))
    if vulnerable:
        return 1
    if skipped and os.environ.get("TOM_AUDIT_STRICT") == "1":
        print("audit: TOM_AUDIT_STRICT=1 and some packages could not be audited", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
