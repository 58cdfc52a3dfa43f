"""The kind of notice portal tells (decision 0086), registered in PortalConfig.ready(): a message
from the person, queued with it for the case's lead professional. Its e-mail is accountability's
generic one ("A message on case <ref> has come in for you from the person")."""

from accountability.registry import NoticeKind

MESSAGE = "message"

NOTICE_KINDS = [
    NoticeKind(code=MESSAGE, label="A message from the person", phrase="has come in for you from the person"),
]
