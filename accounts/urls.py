"""The account pages, under each language prefix (config/urls.py): /vi/accounts/…, /en/accounts/…"""

from django.urls import path

from accounts.views import site

app_name = "accounts"

urlpatterns = [
    path("login/", site.SignInView.as_view(), name="login"),
    path("logout/", site.SignOutView.as_view(), name="logout"),
    path("signed-out/", site.SignedOutView.as_view(), name="signed_out"),
    path("profile/", site.ProfileView.as_view(), name="profile"),
    path("password/", site.ChangePasswordView.as_view(), name="password_change"),
    path("password/done/", site.ChangePasswordDoneView.as_view(), name="password_change_done"),
    path("password-reset/", site.ResetPasswordView.as_view(), name="password_reset"),
    path("password-reset/sent/", site.ResetPasswordDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", site.ResetPasswordConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", site.ResetPasswordCompleteView.as_view(), name="password_reset_complete"),
    path("request-access/", site.RequestAccessView.as_view(), name="request_access"),
    path("request-access/sent/", site.RequestSentView.as_view(), name="request_sent"),
]
