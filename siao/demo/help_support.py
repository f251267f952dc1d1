"""Demo support requests: a few obviously fake requests in the queue, one sent while logged in
by the demo operator manager (so the demo SIAO administrator sees it), one anonymous, one
resolved, with replies, internal notes and a generated attachment (a 1×1 PNG). Idempotent:
nothing is done once a demo request exists (they are recognised by their subject prefix)."""

import hashlib
import struct
import zlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from siao.accounts.enums import Role
from siao.accounts.models import Membership, User
from siao.audit.trail import record
from siao.support import attachments as attachment_files
from siao.support.actions import new_reference
from siao.support.enums import MessageKind, SupportCategory, SupportStatus
from siao.support.models import SupportAttachment, SupportMessage, SupportRequest

DEMO_PREFIX = "[Démo] "


def _tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x66\xcc"))
        + chunk(b"IEND", b"")
    )


def _membership(email: str, role: str) -> Membership | None:
    return Membership.objects.select_related("user", "organization").filter(user__email=email, role=role).first()


@transaction.atomic
def seed(domain: str) -> int:
    """Create the demo requests once; returns how many were created (0 if present)."""
    if SupportRequest.objects.filter(subject__startswith=DEMO_PREFIX).exists():
        return 0
    manager = _membership(f"gestionnaire.horizon@{domain}", Role.OPERATOR_MANAGER)
    operator = _membership(f"operateur.siao@{domain}", Role.SIAO_OPERATOR)
    siao_admin = User.objects.filter(email=f"admin.siao@{domain}").first()
    national = User.objects.filter(email=f"admin.national@{domain}").first()
    now = timezone.now()
    created = []

    if manager is not None:
        request = SupportRequest.objects.create(
            reference=new_reference(),
            first_name=manager.user.first_name,
            last_name=manager.user.last_name,
            email=manager.user.email,
            user_identifier=manager.user.email,
            user=manager.user,
            sent_logged_in=True,
            organization=manager.organization,
            role=manager.role,
            subject=f"{DEMO_PREFIX}La liste des places reste blanche",
            category=SupportCategory.INCIDENT,
            description="Depuis ce matin, la page « Places disponibles » reste blanche.\n"
            "Capture d'écran jointe. Données fictives de démonstration.",
            status=SupportStatus.IN_PROGRESS,
            assigned_to=siao_admin,
        )
        content = _tiny_png()
        name = default_storage.save(attachment_files.storage_name(request.public_id), ContentFile(content))
        SupportAttachment.objects.create(
            request=request,
            file=name,
            original_name="capture-ecran-demo.png",
            content_type="image/png",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        SupportMessage.objects.create(
            request=request,
            kind=MessageKind.NOTE,
            author=siao_admin,
            body="Reproduit sur le poste du SIAO : à signaler à l'équipe nationale si cela persiste.",
        )
        created.append(request)

    if operator is not None:
        request = SupportRequest.objects.create(
            reference=new_reference(),
            first_name=operator.user.first_name,
            last_name=operator.user.last_name,
            email=operator.user.email,
            user_identifier=operator.user.email,
            user=operator.user,
            subject=f"{DEMO_PREFIX}Je ne reçois plus le code de connexion",
            category=SupportCategory.ACCESS,
            description="Envoyée sans être connecté : le code de connexion n'arrive pas.",
            status=SupportStatus.RESOLVED,
            assigned_to=national,
            closed_at=now,
        )
        SupportMessage.objects.create(
            request=request,
            kind=MessageKind.REPLY,
            author=national,
            body="Bonjour, votre adresse était mal saisie dans votre habilitation : c'est corrigé.",
        )
        created.append(request)

    created.append(
        SupportRequest.objects.create(
            reference=new_reference(),
            first_name="Claude",
            last_name="Exemple",
            email=f"claude.exemple@{domain}",
            subject=f"{DEMO_PREFIX}Pouvoir exporter la liste des orientations",
            category=SupportCategory.IMPROVEMENT,
            description="Une idée d'évolution : un export tableur de la liste des orientations.",
        )
    )
    for request in created:
        record("support.request_submitted", obj=request, data={"reference": request.reference, "demo": True})
    return len(created)
