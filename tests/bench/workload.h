#pragma once

#include <QString>
#include <QtGlobal>

#include <string>
#include <string_view>

class RunMetrics;

// One HTTP/1.1 request as bytes on the wire, with what the workload needs to know when
// its answer comes back.
struct Outgoing
{
    std::string bytes;
    int endpoint = 0;     // RunMetrics endpoint index
    qint64 tag = 0;       // the workload's own id (a shopper's index)
    int kind = 0;         // the workload's own request kind
    qint64 intendedNs = 0; // open model: when it should have been sent
};

struct Answer
{
    int status = 0; // 0: no answer (connection closed, refused or timed out)
    std::string_view body;
    qint64 latencyMicros = 0;
};

// What a scenario asks of the load generator. All calls come from the generator's one
// thread, so a workload needs no locking.
class Workload
{
public:
    virtual ~Workload() = default;
    // The next request to send now; false: nothing is ready at this moment.
    virtual bool next(qint64 nowNs, Outgoing &out) = 0;
    virtual void answered(const Outgoing &request, const Answer &answer, qint64 nowNs) = 0;
    // True when the workload has nothing left to do (the closed model then stops).
    virtual bool done(qint64 nowNs) const = 0;
    // Once a second: set gauges for the charts.
    virtual void eachSecond(qint64 /*second*/, RunMetrics & /*metrics*/) {}
    // A few words for the progress line.
    virtual QString progress() const { return {}; }
};

// "METHOD path HTTP/1.1" with Host, keep-alive, the given extra header lines (each
// ending in \r\n) and a JSON body.
std::string httpRequest(std::string_view method, std::string_view path, std::string_view extraHeaders = {},
                        std::string_view jsonBody = {});
// The string value of "key":"..." in a flat JSON body (no unescaping needed for tokens,
// ids and status words); empty when absent.
std::string_view jsonString(std::string_view body, std::string_view key);
// The integer value of "key":123; -1 when absent.
qint64 jsonInteger(std::string_view body, std::string_view key);
