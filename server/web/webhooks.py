"""Gitea's webhooks: ``POST /api/webhooks/gitea``.

Nothing is read from a delivery before its signature is checked over the exact bytes
received. A verified delivery is normalized and queued for ingestion, and answered at
once; Gitea waits for the answer (5 s by default) and never retries, so the reconciler
is what repairs a delivery lost on the way.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from quart import Blueprint, current_app, request

from server.errors import AppError
from server.forge.gitea.forge import GiteaForge
from server.forge.gitea.webhooks import Signature, check_signature, delivery_id, event_name
from server.web.session import csrf_exempt

log = logging.getLogger(__name__)

blueprint = Blueprint("webhooks", __name__)


@blueprint.post("/api/webhooks/gitea")
@csrf_exempt
async def gitea_webhook() -> tuple[dict[str, Any], int]:
    forge = current_app.services.forge  # type: ignore[attr-defined]
    if not isinstance(forge, GiteaForge):
        raise AppError("This app does not use Gitea.", code="not_found", status=404)
    raw = await request.get_data(cache=False, as_text=False)
    body = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    headers = dict(request.headers.items())
    verdict = check_signature(body, headers,
                              current_app.settings.GITEA_WEBHOOK_SECRET)  # type: ignore[attr-defined]
    if verdict is not Signature.VALID:
        log.warning("webhook: refused a delivery with a %s signature from %s", verdict.value,
                    request.remote_addr)
        if verdict is Signature.MISSING:
            raise AppError("The delivery is not signed.", code="signature_missing", status=401)
        raise AppError("The delivery's signature does not match.", code="signature_invalid",
                       status=403)
    if request.mimetype != "application/json":
        raise AppError("Webhook deliveries must be JSON (set the hook's content type to "
                       "application/json).", code="unsupported_media_type", status=415)
    delivery = delivery_id(headers)
    if not delivery:
        raise AppError("The delivery has no X-Gitea-Delivery id.", code="invalid_input",
                       status=400)
    try:
        payload = json.loads(body)
    except ValueError:
        raise AppError("The delivery is not valid JSON.", code="invalid_input",
                       status=400) from None
    if not isinstance(payload, dict):
        raise AppError("The delivery is not a JSON object.", code="invalid_input", status=400)
    event = event_name(headers)
    outcome, events = forge.receive_webhook(event, delivery, payload)
    log.debug("webhook: %s %s %s (%d event(s))", event, delivery, outcome, len(events))
    if outcome == "ignored":
        return {"ok": True, "ignored": event or "unnamed"}, 202
    if outcome == "duplicate":
        return {"ok": True, "duplicate": True}, 200
    return {"ok": True, "events": len(events)}, 200
