"""The server-rendered pages (zh-CN), one module per domain: plain HTML forms, post/redirect/get
with a flash message, nothing that needs JavaScript (the on-site form's own script only adds a draft
kept offline)."""
