#pragma once

#include <QString>

// A database location as given on the command line: `sqlite:PATH` or
// `postgresql://user:password@host:port/dbname`.
struct DatabaseUrl
{
    enum class Kind { Invalid, Sqlite, Postgresql };
    Kind kind = Kind::Invalid;
    QString path;     // SQLite file
    QString host;     // PostgreSQL
    int port = 5432;
    QString user;
    QString password;
    QString name;
    QString error;    // why parsing failed

    static DatabaseUrl parse(const QString &text);
    bool isValid() const { return kind != Kind::Invalid; }
    QString driverName() const;
    QString redacted() const; // safe to log: no password
};
