#pragma once

#include <QByteArray>

// What a shopper is told about one ticket: a join's answer and every status poll.
// Polls come thousands of times a second, so the JSON is written straight into one
// buffer: a QJsonObject per poll cost as much as the rest of the answer. Every string
// in it is an ISO time, a fixed word or a base64url token, so none needs escaping.
struct TicketStatus
{
    qint64 ticket = 0;
    qint64 saleId = 0;
    bool admitted = false;
    qint64 queueLength = 0;
    qint64 serverTimeMs = 0;
    qint64 saleStartsAtMs = 0;
    const char *status = "waiting"; // waiting, admitted, expired, closed, soldOut
    qint64 position = 0;
    qint64 ahead = 0;
    QByteArray admissionToken;        // empty: null
    qint64 admissionExpiresAtMs = 0;  // written only with the token
    qint64 estimatedWaitSeconds = -1; // -1: null
    bool paused = false;

    // The object's keys in alphabetical order, as QJsonDocument wrote them before.
    QByteArray toJson() const;
};
