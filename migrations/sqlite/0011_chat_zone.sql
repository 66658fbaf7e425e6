-- A chat's time zone (issue 17, item 3), chosen with /tz: an IANA name (`Europe/Berlin`) or a fixed
-- offset (`+01:00`), as src/zone.rs writes it. NULL: Beijing time, the default and Kuaidi100's clock.
ALTER TABLE chats ADD COLUMN zone TEXT;
