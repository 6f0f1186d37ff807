"""Log in to the workspace as EMAIL (password on standard input) and print a new personal token.

The same as "Min konto" → "Opret en ny nøgle" in the browser, for scripts such as
examples/requests-walkthrough.sh:  printf '%s\\n' "$PW" | python examples/workspace_token.py EMAIL
The workspace's address comes from GDPR_PUBLIC_URL (default http://localhost:8000).
"""

from __future__ import annotations

import os
import re
import sys

import httpx


def token_for(base: str, email: str, password: str) -> str:
    with httpx.Client(base_url=base, timeout=30) as http:
        csrf = _csrf(http.get("/login").text)
        login = http.post("/login", data={"email": email, "password": password, "next": "/", "csrf_token": csrf})
        if login.status_code != 303:
            raise SystemExit(f"workspace_token: login refused for {email} ({login.status_code}): no such account, "
                             f"or another password (WALKTHROUGH_PASSWORD)")
        made = http.post("/konto/noegler", data={"csrf_token": _csrf(http.get("/konto").text)})
        found = re.search(r'id="token" type="text" readonly value="([^"]+)"', made.text)
        if made.status_code != 201 or found is None:
            raise SystemExit(f"workspace_token: no token made ({made.status_code})")
        return found.group(1)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if found is None:
        raise SystemExit("workspace_token: the page has no form token; is GDPR_PUBLIC_URL the workspace?")
    return found.group(1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(token_for(os.environ.get("GDPR_PUBLIC_URL", "http://localhost:8000").rstrip("/"), sys.argv[1],
                    sys.stdin.readline().rstrip("\n")))
