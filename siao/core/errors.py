from django.shortcuts import render


def forbidden(request, exception=None):
    return render(request, "errors/403.html", {"message": str(exception or "")}, status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/csrf.html", status=403)
