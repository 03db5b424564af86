"""Operator pages: sites (list, detail with map and live station status, create and edit)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from backoffice.accounts import roles
from backoffice.accounts.decorators import operator_required, staff_required
from stations import selectors
from stations.forms.sites import SiteForm
from stations.models import Site
from stations.services.inventory import sites

SITES_PER_PAGE = 50
# At most the live socket's limit of watched names (backoffice.live.consumer.MAX_WATCHED).
STATIONS_PER_PAGE = 25
LIMITED_CANNOT_CREATE = _("Only staff of every site may add sites.")


@staff_required
def site_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.sites_for(user=request.user), SITES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "operator/sites/list.html",
        {"page_obj": page, "query": "", "nav": "sites"},
    )


@staff_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_for(user=request.user, pk=pk)
    context = _stations_context(request, site)
    context.update(
        site=site,
        nav="sites",
        map_tile_url=settings.MAP_TILE_URL,
        map_tile_attribution=settings.MAP_TILE_ATTRIBUTION,
    )
    return render(request, "operator/sites/detail.html", context)


@staff_required
def site_stations(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's stations with their live status (the fragment the detail page refreshes)."""
    site = selectors.site_for(user=request.user, pk=pk)
    return render(request, "operator/sites/detail.html#stations", _stations_context(request, site))


@operator_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest) -> HttpResponse:
    if roles.access_for(request.user).site_ids is not None:
        # A site-limited operator would not see the site they made.
        raise PermissionDenied(LIMITED_CANNOT_CREATE)
    form = SiteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        site = sites.create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Site “%(name)s” added.") % {"name": site.name})
        return redirect("operator:site_detail", pk=site.pk)
    return render(request, "operator/sites/form.html", {"form": form, "nav": "sites"})


@operator_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = selectors.site_for(user=request.user, pk=pk)
    form = SiteForm(request.POST or None, instance=site, user=request.user)
    if request.method == "POST" and form.is_valid():
        sites.update(site_id=site.pk, actor=request.user, changes=form.cleaned_data)
        messages.success(request, _("Site saved."))
        return redirect("operator:site_detail", pk=site.pk)
    return render(request, "operator/sites/form.html", {"form": form, "site": site, "nav": "sites"})


def _stations_context(request: HttpRequest, site: Site) -> dict[str, object]:
    stations = selectors.station_list_for(user=request.user, site_id=site.pk)
    page = Paginator(stations, STATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return {"site": site, "page_obj": page, "query": ""}


urlpatterns = [
    path("", site_list, name="site_list"),
    path("new/", site_create, name="site_create"),
    path("<int:pk>/", site_detail, name="site_detail"),
    path("<int:pk>/stations/", site_stations, name="site_stations"),
    path("<int:pk>/edit/", site_edit, name="site_edit"),
]
