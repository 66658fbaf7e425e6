-- Parcels a chat has looked at, with the phone tail that chat gave (for refresh buttons of
-- phone-checked couriers: the phone never travels in a button, and other chats never borrow it).
CREATE TABLE chat_parcels (
    chat_id BIGINT NOT NULL,
    courier TEXT NOT NULL,
    number TEXT NOT NULL,
    phone_tail TEXT,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (chat_id, courier, number)
);
