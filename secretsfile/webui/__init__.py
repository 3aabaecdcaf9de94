"""The secrets page (``secretsfile ui``): a local web app over the project's named secrets.

``auth`` guards every request (token, session cookie, CSRF, Host and Origin checks,
security headers), ``api`` is the JSON API as pure functions over the library, ``server``
serves both and the static page (``static/``) on 127.0.0.1. Nothing here imports typer,
rich, click or git: the CLI hands git in through ``api.Ctx``.
"""
