#include "fielderrorlabel.h"

#include "errorstyle.h"

#include <QAccessible>

FieldErrorLabel::FieldErrorLabel(QWidget *field, const QString &fieldName, QWidget *parent)
    : QLabel(parent)
    , m_field(field)
    , m_fieldName(fieldName)
{
    ErrorStyle::apply(this);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setAccessibleName(tr("%1 error").arg(fieldName));
    hide();
}

void FieldErrorLabel::setError(const QString &message)
{
    if (message == text())
        return;
    setText(message);
    setAccessibleDescription(message);
    setVisible(!message.isEmpty());
    if (m_field) {
        m_field->setAccessibleDescription(message);
        QAccessibleEvent event(m_field, QAccessible::DescriptionChanged);
        QAccessible::updateAccessibility(&event);
    }
}
