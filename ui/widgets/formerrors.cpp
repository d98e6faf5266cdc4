#include "formerrors.h"

#include "fielderrorlabel.h"

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <utility>

FieldErrorLabel *FormErrors::addRow(QFormLayout *form, const QString &labelText, QWidget *field, const QString &key)
{
    auto *label = new QLabel(labelText);
    label->setBuddy(field);
    QString plain = labelText;
    plain.remove(QLatin1Char('&'));
    if (plain.endsWith(QLatin1Char(':')))
        plain.chop(1);
    field->setAccessibleName(plain);
    auto *error = new FieldErrorLabel(field, plain);
    if (field->objectName().isEmpty())
        field->setObjectName(key);
    error->setObjectName(key + QStringLiteral("Error"));
    // The field and its error share one cell, so a hidden error takes no room.
    auto *cell = new QWidget;
    auto *column = new QVBoxLayout(cell);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    column->addWidget(field);
    column->addWidget(error);
    form->addRow(label, cell);
    m_labels.insert(key, error);
    return error;
}

void FormErrors::setClientErrors(const QHash<QString, QString> &errors)
{
    const QHash<QString, QString> before = std::exchange(m_client, errors);
    for (auto it = m_labels.cbegin(); it != m_labels.cend(); ++it) {
        if (before.value(it.key()) != m_client.value(it.key()))
            show(it.key());
    }
}

QHash<QString, QString> FormErrors::setServerErrors(const QHash<QString, QString> &errors)
{
    clearServerErrors();
    QHash<QString, QString> unplaced;
    for (auto it = errors.cbegin(); it != errors.cend(); ++it) {
        if (!m_labels.contains(it.key())) {
            unplaced.insert(it.key(), it.value());
            continue;
        }
        // The server's messages are fragments ("must be between 1 and 1000"): make them sentences.
        QString message = it.value().trimmed();
        if (!message.isEmpty())
            message[0] = message.at(0).toUpper();
        if (!message.endsWith(QLatin1Char('.')))
            message += QLatin1Char('.');
        m_server.insert(it.key(), message);
        show(it.key());
    }
    return unplaced;
}

void FormErrors::clearServerError(const QString &key)
{
    if (m_server.remove(key))
        show(key);
}

void FormErrors::clearServerErrors()
{
    const QHash<QString, QString> before = std::exchange(m_server, {});
    for (auto it = before.cbegin(); it != before.cend(); ++it)
        show(it.key());
}

void FormErrors::show(const QString &key)
{
    if (FieldErrorLabel *label = m_labels.value(key))
        label->setError(m_server.contains(key) ? m_server.value(key) : m_client.value(key));
}
