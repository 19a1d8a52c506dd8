from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("boundaries", "0001_initial"),
        ("checkins", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel(old_name="Other", new_name="TrackedPerson"),
    ]
