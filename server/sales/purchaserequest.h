#pragma once

#include <QByteArray>

#include <optional>

struct HttpRequest;
struct HttpResponse;

// What POST /sales/{id}/purchase sends, checked before anything is reserved: the
// Idempotency-Key header and the JSON body {"quantity": n}.
struct PurchaseRequest
{
    QByteArray idempotencyKey;
    int quantity = 0;

    // Fails with the 400 problem to answer (bad key, not a JSON object, bad quantity).
    static std::optional<PurchaseRequest> read(const HttpRequest &request, int perUserLimit, HttpResponse *problem);
};

// An Idempotency-Key is 1 to 128 visible ASCII characters (no space, no control).
bool isValidIdempotencyKey(const QByteArray &key);
