#pragma once

#include <QLabel>
#include <QPointer>

// The message under a form field that says what is wrong with it: red, word-wrapped,
// hidden while there is nothing to say. It also puts the message into the field's
// accessible description, so a screen reader reads it with the field.
class FieldErrorLabel : public QLabel
{
    Q_OBJECT

public:
    FieldErrorLabel(QWidget *field, const QString &fieldName, QWidget *parent = nullptr);

    void setError(const QString &message);
    QString error() const { return text(); }
    bool hasError() const { return !text().isEmpty(); }
    QWidget *field() const { return m_field; }

private:
    QPointer<QWidget> m_field;
    QString m_fieldName;
};
