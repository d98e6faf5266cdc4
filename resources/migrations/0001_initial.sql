-- The seed's schema (users, products, inventory, flash sales, orders), kept by table and
-- column meaning. Times are milliseconds since the Unix epoch (UTC); money is in cents.
-- {{ID}} is the dialect's auto-increment primary key.

CREATE TABLE users (
    user_id {{ID}},
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'shopper' CHECK (role IN ('shopper', 'admin')),
    verified INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0
);

-- Opaque refresh tokens, stored only as SHA-256 hashes. A family is one login's chain of
-- rotations: reusing a rotated token revokes the whole family.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(user_id),
    family TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    replaced_at BIGINT,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family);

CREATE TABLE products (
    product_id {{ID}},
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    regular_price_cents BIGINT NOT NULL CHECK (regular_price_cents > 0),
    image_url TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

-- Master stock per product. A sale's quantity is taken from here when it is scheduled.
CREATE TABLE inventory (
    product_id BIGINT PRIMARY KEY REFERENCES products(product_id),
    stock_quantity BIGINT NOT NULL CHECK (stock_quantity >= 0)
);

CREATE TABLE flash_sales (
    sale_id {{ID}},
    name TEXT NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (end_time > start_time)
);

CREATE TABLE flash_sale_items (
    flash_sale_item_id {{ID}},
    sale_id BIGINT NOT NULL UNIQUE REFERENCES flash_sales(sale_id),
    product_id BIGINT NOT NULL REFERENCES products(product_id),
    sale_price_cents BIGINT NOT NULL CHECK (sale_price_cents > 0),
    total_sale_quantity BIGINT NOT NULL CHECK (total_sale_quantity > 0),
    available_sale_quantity BIGINT NOT NULL CHECK (available_sale_quantity >= 0),
    per_user_limit INTEGER NOT NULL CHECK (per_user_limit > 0)
);

CREATE TABLE orders (
    order_id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(user_id),
    sale_id BIGINT NOT NULL REFERENCES flash_sales(sale_id),
    order_date BIGINT NOT NULL,
    order_total_cents BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Pending', 'Confirmed', 'Failed', 'Expired')),
    updated_at BIGINT NOT NULL
);
CREATE INDEX orders_user ON orders(user_id);

CREATE TABLE order_items (
    order_item_id {{ID}},
    order_id TEXT NOT NULL REFERENCES orders(order_id),
    product_id BIGINT NOT NULL REFERENCES products(product_id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    price_paid_cents BIGINT NOT NULL
);
