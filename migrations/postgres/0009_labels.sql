-- Labels: a chat's own name for a parcel ("mom's tea"), set with /name or the 🏷 button, shown in the
-- chat's parcel replies, /list and notifications. Per chat: another chat watching the same parcel
-- sees its own label or none. Checked before it is stored (src/input/label.rs: at most 32 characters).
CREATE TABLE chat_labels (
    chat_id BIGINT NOT NULL,
    courier TEXT NOT NULL,
    number TEXT NOT NULL,
    label TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (chat_id, courier, number)
);

-- `/name <number>` names a parcel by its number alone: the courier the bot knows for it is looked up
-- by number (src/store/labels.rs).
CREATE INDEX parcels_by_number ON parcels (number);
