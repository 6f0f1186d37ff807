"""Helpers the web tests share: the test accounts, logging in through the form, and the routes of the app."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute

from web.roles import WebRole

PASSWORD = "korrekt hest batteri 42"
PEOPLE = {
    "ansat@skole.dk": ("Rasmus Ansat", [WebRole.EMPLOYEE]),
    "mille@skole.dk": ("Mille Nøgleperson", [WebRole.EMPLOYEE, WebRole.KEY_PERSON]),
    "dorthe@skole.dk": ("Dorthe DPO", [WebRole.DPO]),
    "leder@skole.dk": ("Lene Leder", [WebRole.MANAGEMENT]),
    "ejer@skole.dk": ("Simon Systemejer", [WebRole.SYSTEM_OWNER]),
    "drift@skole.dk": ("Olga Drift", [WebRole.OPERATOR]),
}
# What an anonymous visitor may reach; every other route asks for a login.
PUBLIC = {("GET", "/healthz"), ("GET", "/login"), ("POST", "/login")}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/login")
    return await client.post("/login", data={"email": email, "password": password, "next": "/",
                                             "csrf_token": csrf_of(page.text)})


def every_route(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route, through included routers."""
    found: list[tuple[str, str]] = []

    def walk(routes) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.extend((method, route.path) for method in route.methods)
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes)

    walk(app.routes)
    return found
