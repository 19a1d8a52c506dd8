"""The comment form readers know, and the writing form."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing

from .actions import clean_name
from .markdown import MAX_COMMENT_CHARS
from .models import Article

SALT = "individuate.articles.comment-start"
TOO_FAST_SECONDS = 3
FORM_MAX_AGE = 24 * 3600


def start_token() -> str:
    return signing.dumps(int(time.time()), salt=SALT)


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 6, "required": True}),
        max_length=MAX_COMMENT_CHARS,
        error_messages={
            "required": "Please write something before sending.",
            "max_length": "Comments can be up to %(limit_value)d characters (this one has %(show_value)d).",
        },
    )
    name = forms.CharField(
        label="Name",
        max_length=245,
        error_messages={
            "required": "Please tell us a name to show with your comment.",
            "max_length": "Names can be up to %(limit_value)d characters.",
        },
    )
    email = forms.EmailField(
        label="E-mail",
        max_length=100,
        help_text="Required, never shown to anyone.",
        error_messages={
            "required": "Please give an e-mail address (it is never shown).",
            "invalid": "That does not look like an e-mail address, e.g. name@example.org.",
            "max_length": "E-mail addresses can be up to %(limit_value)d characters.",
        },
    )
    website = forms.URLField(
        label="Website",
        max_length=200,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": "That does not look like a web address.",
            "max_length": "Web addresses can be up to %(limit_value)d characters.",
        },
    )
    terms = forms.BooleanField(
        label="I agree to the terms",
        error_messages={"required": "Please tick the box to agree to the terms before sending."},
    )
    remember = forms.BooleanField(label="Remember my name and e-mail on this device (a cookie)", required=False)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people (CSS and aria-hidden); bots fill every field.
    homepage_url = forms.CharField(required=False, label="Leave this empty", max_length=200)

    too_fast = False
    bad_signature = False

    def clean_name(self) -> str:
        name = clean_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError("Please tell us a name to show with your comment.")
        return name

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Please write something before sending.")
        return body

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        token = data.get("started") or ""
        try:
            started = signing.loads(token, salt=SALT, max_age=FORM_MAX_AGE)
            self.too_fast = time.time() - int(started) < TOO_FAST_SECONDS
        except (signing.BadSignature, TypeError, ValueError):
            self.bad_signature = True
        return data


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=160)
    slug = forms.SlugField(max_length=80, required=False, label="Address (after /articles/)")
    summary = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 18}), label="Text (Markdown)")
    tags = forms.CharField(required=False, max_length=400, help_text="Separated by commas.")
    comments = forms.ChoiceField(choices=Article.Comments.choices, initial=Article.Comments.AUTO)
    cover = forms.FileField(required=False, label="Cover image (JPEG, PNG or WebP, up to 5 MB)")
    cover_alt = forms.CharField(required=False, max_length=200, label="Describe the cover for people who cannot see it")

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class CommenterRequestForm(forms.Form):
    email = forms.EmailField(max_length=100, label="The e-mail address you commented with")
