"""The notification tables as Core tables, named once for the notify modules."""

from cases.models import Delivery, NotificationPreference, StaffContact

delivery_t = Delivery.__table__
pref_t = NotificationPreference.__table__
contact_t = StaffContact.__table__
