"""Login, second factor and the account page. Writes go through accounts.services."""

from base64 import b32encode
from datetime import timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    may_manage_users,
    privacy_officer_institutions,
    roles_user_may_grant,
)
from schakelpunt.access.services import access_log_record
from schakelpunt.privacy.register import Activity

from .forms import (
    EmailCodeForm,
    ForgottenPasswordForm,
    LoginForm,
    TokenForm,
    UserInviteForm,
)
from .models import User
from .roles import Role
from .selectors import memberships_for, role_grants_for, user_has_confirmed_device
from .services import (
    SetupCodeResult,
    parent_invitation_guardians,
    parent_invite,
    second_factor_required,
    setup_code_check,
    setup_code_send,
    totp_device_confirm,
    totp_device_start,
    totp_verify,
    user_invite,
    user_set_email_notifications,
)

# Setting up a first authenticator app is allowed for a while after the person proved they
# read their e-mail: the invitation (password) link, or a code sent by e-mail.
_SETUP_UNLOCK_KEY = "schakelpunt_second_factor_setup"
_SETUP_UNLOCK_TIME = timedelta(minutes=30)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        from .oidc import identity_providers_for_login

        context = super().get_context_data(**kwargs)
        context["identity_providers"] = identity_providers_for_login()
        return context


class LogoutView(auth_views.LogoutView):
    pass


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _unlock_setup(request: HttpRequest, user_id: int) -> None:
    until = timezone.now() + _SETUP_UNLOCK_TIME
    request.session[_SETUP_UNLOCK_KEY] = {"user": user_id, "until": until.timestamp()}


def _setup_unlocked(request: HttpRequest, user: User) -> bool:
    unlock = request.session.get(_SETUP_UNLOCK_KEY)
    return (
        isinstance(unlock, dict)
        and unlock.get("user") == user.pk
        and float(unlock.get("until", 0)) > timezone.now().timestamp()
    )


def _otp_setup_unlock(request: HttpRequest, user: User) -> HttpResponse:
    """Before the QR code: prove with a code sent by e-mail that this is the account's owner."""
    action = request.POST.get("action")
    if request.method == "POST" and action == "send":
        try:
            setup_code_send(user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("We hebben een code gestuurd naar %(email)s.") % {"email": user.email}
            )
        return redirect(request.get_full_path())
    form: Form = EmailCodeForm(request.POST if action == "code" else None)
    if form.is_bound and form.is_valid():
        result = setup_code_check(user=user, code=form.cleaned_data["token"])
        if result == SetupCodeResult.ACCEPTED:
            _unlock_setup(request, user.pk)
            return redirect(request.get_full_path())
        form.add_error(
            "token",
            _("Deze code klopt niet. Kijk of u de laatste e-mail gebruikt.")
            if result == SetupCodeResult.WRONG
            else _(
                "Deze code werkt niet meer (verlopen, al gebruikt of te vaak geprobeerd). "
                "Vraag een nieuwe code aan."
            ),
        )
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "email": user.email,
            "required": second_factor_required(user=user),
            "next": _next_url(request),
        },
    )


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user_has_confirmed_device(user=user):
        return redirect("accounts:otp_verify")
    if not _setup_unlocked(request, user):
        return _otp_setup_unlock(request, user)
    device = totp_device_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = totp_device_confirm(user=user, token=form.cleaned_data["token"])
        if confirmed is not None:
            request.session.pop(_SETUP_UNLOCK_KEY, None)
            otp_login(request, confirmed)
            messages.success(request, _("Tweestapsverificatie staat aan."))
            return redirect(_next_url(request))
        form.add_error("token", _("Deze code klopt niet. Kijk of de tijd op uw telefoon klopt."))
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": b32encode(device.bin_key).decode().rstrip("="),
            "required": second_factor_required(user=user),
            "next": _next_url(request),
        },
    )


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user_has_confirmed_device(user=user):
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = totp_verify(user=user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("Deze code klopt niet of is verlopen. Probeer de nieuwe code."))
    # An administrator who lost their phone cannot ask themselves for a reset.
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next_url(request), "is_admin": may_manage_users(user)},
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        enabled = request.POST.get("email_notifications") == "on"
        user_set_email_notifications(user=user, enabled=enabled)
        if hasattr(user, "student_profile"):  # a student is addressed with "je"
            done = (
                _("Je krijgt meldingen nu ook per e-mail.")
                if enabled
                else _("Je krijgt meldingen alleen nog in Schakelpunt.")
            )
        else:
            done = (
                _("U krijgt meldingen nu ook per e-mail.")
                if enabled
                else _("U krijgt meldingen alleen nog in Schakelpunt.")
            )
        messages.success(request, done)
        return redirect("accounts:account")
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": memberships_for(user=user),
            "has_device": user_has_confirmed_device(user=user),
        },
    )


password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset_form.html",
    form_class=ForgottenPasswordForm,
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Choosing a password from the invitation (or reset) e-mail also proves the mailbox:
    after logging in, this person may set up a first authenticator app without a code."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        if self.user is not None:  # always: the form is only shown for a valid link
            _unlock_setup(self.request, self.user.pk)
        return response


password_reset_confirm = PasswordSetView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


@login_required
def invite(request: HttpRequest) -> HttpResponse:
    """The functional administrator adds a person with a role; they get an e-mail."""
    actor: User = request.user  # type: ignore[assignment]
    if not may_manage_users(actor):
        raise Http404
    grantable = roles_user_may_grant(actor)
    form = UserInviteForm(request.POST or None, grantable=grantable)
    if request.method == "POST" and form.is_valid() and form.is_parent:
        return _invite_parent(request, actor, form, grantable)
    if "guardian" in form.fields:
        form.hide_guardians()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_invite(
                actor=actor,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                organisation=data["organisation"],
                role=data["role"],
                location=data["location"],
                programme_team=data["programme_team"],
                student_number=data["student_number"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(email)s heeft de rol %(role)s gekregen.")
                % {"email": user.email, "role": Role(data["role"]).label},
            )
            return redirect("people:detail", user_id=user.pk)
    return render(request, "accounts/invite.html", {"form": form})


def _invite_parent(
    request: HttpRequest, actor: User, form: UserInviteForm, grantable: dict[int, frozenset[str]]
) -> HttpResponse:
    """Inviting a parent takes two steps: the student's number, then which of that student's
    guardians this person is. Works without JavaScript: each step is a full page."""
    data = form.cleaned_data
    if data.get("guardian") is not None:
        try:
            user = parent_invite(
                actor=actor,
                institution=data["organisation"],
                student_number=data["student_number"],
                guardian_id=data["guardian"],
                email=data["email"] or "",
                first_name=data["first_name"] or "",
                last_name=data["last_name"] or "",
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(email)s is uitgenodigd als ouder of verzorger bij studentnummer %(number)s.")
                % {"email": user.email, "number": data["student_number"].strip()},
            )
            return redirect("people:detail", user_id=user.pk)
    try:
        guardians = parent_invitation_guardians(
            actor=actor, institution=data["organisation"], student_number=data["student_number"]
        )
    except ValidationError as error:
        if not form.non_field_errors():
            form.add_error("student_number", error)
        form.hide_guardians()
        return render(request, "accounts/invite.html", {"form": form})
    if not form.errors and len(guardians) == 1:
        # Step two: what the record knows fills what the administrator left empty.
        only = guardians[0]
        known = request.POST.copy()
        first, _sep, last = " ".join(only.name.split()).partition(" ")
        for name, value in (("email", only.email), ("first_name", first), ("last_name", last)):
            if not known.get(name):
                known[name] = value
        known["guardian"] = str(only.pk)
        form = UserInviteForm(known, grantable=grantable)
        form.is_valid()
    form.offer_guardians(guardians)
    if data.get("guardian") is None:
        # The guardians are part of the student's file (contact): the read is logged once per
        # invitation, when the list is first shown (a corrected second step reads nothing new),
        # as account administration: the administrator is not a parent looking along.
        access_log_record(
            actor=actor,
            activity=Activity.OVERSIGHT,
            students=[guardians[0].student],
            action=Action.VIEW,
            parts=[Part.CONTACT],
            role=Role.FUNCTIONAL_ADMIN,
            path=request.path,
        )
    return render(request, "accounts/invite.html", {"form": form, "choosing_guardian": True})


@login_required
def role_grants(request: HttpRequest) -> HttpResponse:
    """For the privacy officer: who gave (or tried to give) which role to whom."""
    user: User = request.user  # type: ignore[assignment]
    if not privacy_officer_institutions(user):
        raise Http404
    return render(request, "accounts/role_grants.html", {"grants": role_grants_for(user=user)})
