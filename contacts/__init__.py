"""Contacts: the people careloop may reach, their consent and unsubscriptions per message kind, the suppression
list, and the one contact policy every customer-facing message goes through (notices now; surveys and review
requests later). `policy.Gate` decides; `importer` reads and writes CSV; `tokens` signs unsubscribe links."""
