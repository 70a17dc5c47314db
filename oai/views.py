"""The OAI-PMH endpoint: the request's arguments to ``oai.protocol``, its document back."""

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from oai import protocol


@csrf_exempt  # harvesters POST forms without a session; nothing is changed
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    base_url = request.build_absolute_uri(reverse("oai"))
    try:
        arguments = request.POST if request.method == "POST" else request.GET
        pairs = list(arguments.lists())
    except (RequestDataTooBig, SuspiciousOperation, BadRequest):  # too many or too large arguments
        body = protocol.error_document("badArgument", "The request's arguments could not be read.", base_url)
    else:
        body = protocol.respond(pairs, base_url)
    response = HttpResponse(body, content_type="text/xml; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
