"""Well-known base classes from outside the project, described as static facts.

The codemod never imports anything, so what it knows of a third-party base is what this table
says: whether it is an abstract model (its fields are copied into each child), a concrete
model (its children are multi-table inheritance children), an abstract subclass of a concrete
model (its children are multi-table inheritance children of that model), or not a model at
all (a plain mixin, a StreamField block). Each entry was read from the library's source:

* Wagtail 2.16, 3.0, 4.2, 6.0 and 7.x: ``Page``, ``Task`` and ``TaskState`` are concrete;
  ``Orderable``, ``DraftStateMixin``, ``RevisionMixin``, ``LockableMixin``,
  ``TranslatableMixin``, ``CollectionMember`` and the settings bases are abstract models;
  ``AbstractForm``, ``AbstractEmailForm`` and ``RoutablePage`` are abstract subclasses of
  ``Page``; ``PreviewableMixin``, ``SpecificMixin``, ``RoutablePageMixin``, ``FormMixin``,
  ``index.Indexed`` and every block class are plain classes. ``WorkflowMixin`` is a plain
  class before 7.1 and an abstract model (with no date field) since; Wagtail's checks require
  it next to ``DraftStateMixin``, so either way it adds nothing to a model. None of these
  abstract bases declares a field or attribute named like a timestamp, except
  ``AbstractFormSubmission.submit_time`` (``auto_now_add``).
* django-modelcluster ``ClusterableModel``, django-taggit's ``*Base`` classes, django-mptt
  ``MPTTModel``, django-treebeard ``Node``/``MP_Node``/``NS_Node``/``AL_Node`` and
  django-polymorphic ``PolymorphicModel``: abstract, without any date field.
* django-model-utils and django-extensions ``TimeStampedModel``: abstract, with ``created`` and
  ``modified``; ``django.contrib.auth``'s ``AbstractUser`` records creation in
  ``date_joined``.

Wagtail moved ``wagtail.core.*`` to ``wagtail.*`` in 3.0 and defines its models in submodules
of ``wagtail.models`` that the package re-exports: both spellings are accepted. Anything not
listed stays unknown, and the caller refuses the class deriving from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

PAGE = "wagtail.models.Page"
TIMESTAMPED = {"created": "created", "modified": "updated"}


@dataclass(frozen=True)
class KnownBase:
    """A model class outside the project whose nature is known.

    :param abstract: an abstract model (its fields are copied into each child).
    :param fields: the date fields it provides, name -> ``created``/``updated``.
    :param concrete_parent: for an abstract model deriving from a concrete one, that concrete
        model: the children are multi-table inheritance children of it.
    """

    abstract: bool
    fields: Mapping[str, str] = field(default_factory=dict)
    concrete_parent: str | None = None


ABSTRACT = KnownBase(True)
CONCRETE = KnownBase(False)
UNDER_PAGE = KnownBase(True, concrete_parent=PAGE)

KNOWN_BASES: dict[str, KnownBase] = {
    "model_utils.models.TimeStampedModel": KnownBase(True, TIMESTAMPED),
    "django_extensions.db.models.TimeStampedModel": KnownBase(True, TIMESTAMPED),
    "django.contrib.auth.models.AbstractUser": KnownBase(True, {"date_joined": "created"}),
    "django.contrib.auth.models.AbstractBaseUser": ABSTRACT,
    "django.contrib.auth.base_user.AbstractBaseUser": ABSTRACT,
    "django.contrib.auth.models.PermissionsMixin": ABSTRACT,
    "django.contrib.auth.models.User": CONCRETE,
    "django.contrib.auth.models.Group": CONCRETE,
    "django.contrib.sites.models.Site": CONCRETE,
    PAGE: CONCRETE,
    "wagtail.models.Task": CONCRETE,
    "wagtail.models.TaskState": CONCRETE,
    "wagtail.models.Orderable": ABSTRACT,
    "wagtail.models.DraftStateMixin": ABSTRACT,
    "wagtail.models.RevisionMixin": ABSTRACT,
    "wagtail.models.LockableMixin": ABSTRACT,
    "wagtail.models.WorkflowMixin": ABSTRACT,
    "wagtail.models.TranslatableMixin": ABSTRACT,
    "wagtail.models.CollectionMember": ABSTRACT,
    "wagtail.contrib.settings.models.BaseSetting": ABSTRACT,
    "wagtail.contrib.settings.models.BaseSiteSetting": ABSTRACT,
    "wagtail.contrib.settings.models.BaseGenericSetting": ABSTRACT,
    "wagtail.contrib.forms.models.AbstractFormField": ABSTRACT,
    "wagtail.contrib.forms.models.EmailFormMixin": ABSTRACT,
    "wagtail.contrib.forms.models.AbstractFormSubmission": KnownBase(
        True, {"submit_time": "created"}
    ),
    "wagtail.contrib.forms.models.AbstractForm": UNDER_PAGE,
    "wagtail.contrib.forms.models.AbstractEmailForm": UNDER_PAGE,
    "wagtail.contrib.routable_page.models.RoutablePage": UNDER_PAGE,
    "modelcluster.models.ClusterableModel": ABSTRACT,
    "taggit.models.TagBase": ABSTRACT,
    "taggit.models.ItemBase": ABSTRACT,
    "taggit.models.TaggedItemBase": ABSTRACT,
    "taggit.models.CommonGenericTaggedItemBase": ABSTRACT,
    "taggit.models.GenericTaggedItemBase": ABSTRACT,
    "taggit.models.GenericUUIDTaggedItemBase": ABSTRACT,
    "taggit.models.Tag": CONCRETE,
    "taggit.models.TaggedItem": CONCRETE,
    "mptt.models.MPTTModel": ABSTRACT,
    "treebeard.models.Node": ABSTRACT,
    "treebeard.mp_tree.MP_Node": ABSTRACT,
    "treebeard.ns_tree.NS_Node": ABSTRACT,
    "treebeard.al_tree.AL_Node": ABSTRACT,
    "polymorphic.models.PolymorphicModel": ABSTRACT,
}

NOT_MODELS = frozenset(
    {
        "wagtail.models.PreviewableMixin",
        "wagtail.models.SpecificMixin",
        "wagtail.search.index.Indexed",
        "wagtail.contrib.routable_page.models.RoutablePageMixin",
        "wagtail.contrib.forms.models.FormMixin",
    }
)


def canonical_name(qualified: str) -> str:
    """Spell a qualified class name as the table does.

    ``wagtail.core.X`` (Wagtail 2.x) becomes ``wagtail.X``, and ``wagtail.models.<module>.X``
    becomes ``wagtail.models.X`` (the package re-exports its submodules' models).

    :param qualified: e.g. ``wagtail.core.models.Page``.
    :returns: e.g. ``wagtail.models.Page``.
    """
    if qualified.startswith("wagtail.core."):
        qualified = "wagtail." + qualified.removeprefix("wagtail.core.")
    parts = qualified.split(".")
    if len(parts) == 4 and parts[:2] == ["wagtail", "models"]:
        return f"wagtail.models.{parts[3]}"
    return qualified


def known_base(qualified: str) -> KnownBase | None:
    """Look up a model class of the table.

    :param qualified: the fully qualified name, in any spelling :func:`canonical_name` knows.
    :returns: its description, or ``None`` when the table does not list it.
    """
    return KNOWN_BASES.get(canonical_name(qualified))


def known_not_model(qualified: str) -> bool:
    """Tell whether a class outside the project is known not to be a model.

    The listed mixins are plain classes, and so is everything in a Wagtail ``blocks`` module
    (``wagtail.blocks``, ``wagtail.images.blocks``...): StreamField blocks and their values.

    :param qualified: the fully qualified name.
    :returns: ``True`` when it surely is not a model.
    """
    name = canonical_name(qualified)
    parts = name.split(".")
    return name in NOT_MODELS or (parts[0] == "wagtail" and "blocks" in parts[1:-1])
