"""The server-rendered pages (zh-CN), one module per domain: plain HTML forms, post/redirect/get
with a flash message, nothing that needs JavaScript."""
