from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tables", "0006_diner_joined_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="diner",
            name="name",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="diner",
            name="name_asked",
            field=models.BooleanField(default=False),
        ),
    ]
