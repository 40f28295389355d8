"""seed_demo's requests: a year in every status, with assets and ratings; idempotent; --scale multiplies."""

from django.core.management import call_command

from requests_queue.models import Asset, Notification, Request, RequestStatus


def test_a_year_of_requests_in_every_status(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--force", verbosity=0)
    statuses = set(Request.objects.values_list("status", flat=True))
    assert statuses == set(RequestStatus.values)
    first, last = (
        Request.objects.order_by("created_at").first(),
        Request.objects.order_by("created_at").last(),
    )
    assert (last.created_at - first.created_at).days >= 330
    assert Asset.objects.count() >= 10
    assert Asset.objects.filter(review_by__lt=last.created_at.date()).exists()  # some flagged for review
    assert Request.objects.filter(rating__isnull=False).exists()
    assert Notification.objects.filter(recipient__username="sales").exists()
    count = Request.objects.count()
    call_command("seed_demo", "--force", verbosity=0)
    assert Request.objects.count() == count


def test_scale_multiplies_the_requests(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--force", "--scale", "20", verbosity=0)
    assert Request.objects.count() >= 20 * 150 // 2
