"""Driving the signer pages through Flask's test client, as a phone would."""

from __future__ import annotations

import base64
import io
import re

from PIL import Image, ImageDraw

from tests.signer_contracts import latest_code

__all__ = ["csrf_of", "ink_png", "json_post", "sign_with_code", "verify_identity"]


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[
        1
    ]


def verify_identity(client, path, person):
    form = client.get(f"{path}/identity")
    return client.post(
        f"{path}/identity",
        data={
            "name": person["name"],
            "id_number": person["id_number"],
            "csrf_token": csrf_of(form),
        },
    )


def ink_png() -> str:
    image = Image.new("RGBA", (400, 160), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(20, 120), (120, 30), (220, 130), (380, 40)], fill=(0, 0, 0, 255), width=6
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def json_post(client, path, csrf, body=None):
    return client.post(
        path,
        json=body or {},
        headers={"X-CSRF-Token": csrf, "Accept": "application/json"},
    )


def sign_with_code(bridge, client, path, person, code=None):
    page = client.get(f"{path}/sign")
    csrf = re.search(r'data-csrf="([^"]+)"', page.get_data(as_text=True))[1]
    sent = json_post(client, f"{path}/code", csrf)
    assert sent.status_code == 200, sent.get_json()
    if code is None:
        with bridge.app_context():
            code = latest_code(person["mobile"])
    return json_post(
        client, f"{path}/sign", csrf, {"signature": ink_png(), "code": code}
    ), csrf
