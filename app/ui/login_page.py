"""The LAN login page: plain HTML with one form, served by app.security before any NiceGUI asset loads.

It is not a NiceGUI page on purpose: a NiceGUI page needs its scripts and websocket, and in LAN mode
those are protected by the very token the visitor does not have yet.
"""

from __future__ import annotations

from html import escape

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; form-action 'self'">
<meta name="referrer" content="no-referrer">
<title>CaptionForge: access token</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #1e293b; color: #e2e8f0; display: flex;
  align-items: center; justify-content: center; min-height: 100vh; margin: 0; }}
form {{ background: #0f172a; padding: 2rem; border-radius: 0.75rem; width: min(26rem, 90vw); }}
h1 {{ font-size: 1.25rem; margin: 0 0 0.5rem; color: #fcd34d; }}
p {{ font-size: 0.9rem; line-height: 1.4; color: #cbd5e1; }}
input[type=password] {{ width: 100%; box-sizing: border-box; padding: 0.6rem; border-radius: 0.4rem;
  border: 1px solid #475569; background: #1e293b; color: inherit; font-size: 1rem; }}
button {{ margin-top: 1rem; width: 100%; padding: 0.6rem; border: 0; border-radius: 0.4rem;
  background: #f59e0b; color: #0f172a; font-weight: 600; font-size: 1rem; cursor: pointer; }}
.error {{ color: #fca5a5; }}
</style></head>
<body><form method="post" action="/login" data-testid="login-form">
<h1>CaptionForge</h1>
<p>This CaptionForge serves your network and needs its access token. Open the link it printed when it
started, or paste the token (Settings &rarr; Access on the host shows it).</p>
{error}
<input type="password" name="token" placeholder="Access token" autocomplete="current-password" autofocus required>
<input type="hidden" name="next" value="{next}">
<button type="submit">Open CaptionForge</button>
</form></body></html>
"""


def login_page_html(next_path: str, error: str) -> str:
    """The login page; `next_path` is where a right token leads, `error` one line shown above the field."""
    note = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _PAGE.format(error=note, next=escape(next_path, quote=True))
