from django.http import HttpResponse


def invitation(request, token):
    return HttpResponse("")
