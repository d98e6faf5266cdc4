#pragma once

#include <QHash>
#include <QString>

class FieldErrorLabel;
class QFormLayout;
class QLabel;
class QWidget;

// The errors of one form, field by field, from two sources: the console's own checks
// (recomputed on every edit) and the server's 422 `errors` map (kept until the merchant
// edits that field). A field shows the server's message if it has one, else its own.
// Fields are keyed by their JSON names in the contract ("salePrice", "endTime"...), so
// the server's messages land next to the right field.
class FormErrors
{
public:
    // Adds "label: field" to `form` with the error label right under the field, makes
    // the label the field's buddy (for its mnemonic) and names the field for
    // accessibility. `labelText` may carry a mnemonic: "&Quantity:".
    FieldErrorLabel *addRow(QFormLayout *form, const QString &labelText, QWidget *field, const QString &key);

    void setClientErrors(const QHash<QString, QString> &errors);
    // Returns the server's messages that belong to no field of this form.
    QHash<QString, QString> setServerErrors(const QHash<QString, QString> &errors);
    void clearServerError(const QString &key);
    void clearServerErrors();

    bool hasClientErrors() const { return !m_client.isEmpty(); }
    bool hasServerErrors() const { return !m_server.isEmpty(); }
    bool hasErrors() const { return hasClientErrors() || hasServerErrors(); }
    FieldErrorLabel *label(const QString &key) const { return m_labels.value(key); }

private:
    void show(const QString &key);

    QHash<QString, FieldErrorLabel *> m_labels; // owned by the form's widget
    QHash<QString, QString> m_client;
    QHash<QString, QString> m_server;
};
