from django.urls import path

from . import manage_views, views

app_name = "knowledge"

urlpatterns = [
    path("", views.help_home, name="help"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("recherche/", views.search, name="search"),
    path("themes/<slug:slug>/", views.topic_detail, name="topic"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("nouveautes/", views.release_notes, name="release_notes"),
    path("sessions/", views.sessions, name="sessions"),
    # Editors (national administrators).
    path("gestion/", manage_views.manage_home, name="manage"),
    path("gestion/articles/nouveau/", manage_views.article_create, name="article_create"),
    path("gestion/articles/<uuid:public_id>/", manage_views.article_edit, name="article_edit"),
    path("gestion/articles/<uuid:public_id>/publier/", manage_views.article_publish, name="article_publish"),
    path("gestion/articles/<uuid:public_id>/depublier/", manage_views.article_unpublish, name="article_unpublish"),
    path("gestion/themes/nouveau/", manage_views.topic_create, name="topic_create"),
    path("gestion/themes/<uuid:public_id>/", manage_views.topic_edit, name="topic_edit"),
    path("gestion/themes/<uuid:public_id>/supprimer/", manage_views.topic_delete, name="topic_delete"),
    path("gestion/sessions/nouvelle/", manage_views.session_create, name="session_create"),
    path("gestion/sessions/<uuid:public_id>/", manage_views.session_edit, name="session_edit"),
    path("gestion/sessions/<uuid:public_id>/supprimer/", manage_views.session_delete, name="session_delete"),
]
