// After a passkey is added (django-otp-webauthn's register script), show the page again so the
// list of passkeys includes it. A static file: no inline script under the strict CSP.
document.addEventListener("otp_webauthn.register_complete", function () {
  window.location.reload();
});
