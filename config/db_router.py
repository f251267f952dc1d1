"""Routes each app to its database: `archive` and `stats` hold only their own apps."""

ARCHIVE_APPS = {"archive"}
STATS_APPS = {"statistics"}
# Apps whose tables every database needs (migration bookkeeping of contrib apps).
SHARED_APPS = {"contenttypes"}


def _alias_for(app_label):
    if app_label in ARCHIVE_APPS:
        return "archive"
    if app_label in STATS_APPS:
        return "stats"
    return "default"


class DatabaseRouter:
    def db_for_read(self, model, **hints):
        return _alias_for(model._meta.app_label)

    def db_for_write(self, model, **hints):
        return _alias_for(model._meta.app_label)

    def allow_relation(self, obj1, obj2, **hints):
        return _alias_for(obj1._meta.app_label) == _alias_for(obj2._meta.app_label)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in SHARED_APPS:
            return True
        return _alias_for(app_label) == db
