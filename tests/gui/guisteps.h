#pragma once

#include "testserver.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QChartView>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QHeaderView>
#include <QLineEdit>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QTableView>
#include <QTreeView>
#include <QWidget>
#include <QtTest>

// Steps the console's GUI tests share.
namespace GuiSteps {

// Replaces the text of a line edit or spin box as a merchant would: select all, type.
inline void retype(QWidget *field, const QString &text)
{
    QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(field, text);
}

// Settings go to `folder`, never to the merchant's own.
inline void isolateSettings(const QString &folder, const QString &applicationName)
{
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, folder);
    QCoreApplication::setOrganizationName(QStringLiteral("FlashSaleTest"));
    QCoreApplication::setApplicationName(applicationName);
}

// Saves what `widget` shows into testOutputDir()/name; false if it could not.
inline bool saveScreenshot(QWidget *widget, const QString &name)
{
    QTest::qWait(50); // let pending layout requests run, as the event loop would before painting
    const QString path = QDir(testOutputDir()).filePath(name);
    if (!widget->grab().save(path))
        return false;
    qInfo("screenshot: %s", qPrintable(path));
    return true;
}

// The controls `page` shows (buttons, fields, lists, tables, charts) that have no
// accessible name, as "ClassName objectName"; `checked` counts the controls looked at.
// The parts of a control (a spin box's line edit, a table's header) are not controls.
inline QStringList unnamedControls(QWidget *page, int *checked)
{
    QStringList unnamed;
    for (QWidget *w : page->findChildren<QWidget *>()) {
        const bool control = qobject_cast<QAbstractButton *>(w) || qobject_cast<QLineEdit *>(w) || qobject_cast<QComboBox *>(w)
            || qobject_cast<QAbstractSpinBox *>(w) || qobject_cast<QAbstractItemView *>(w) || qobject_cast<QChartView *>(w);
        const bool part = qobject_cast<QAbstractSpinBox *>(w->parentWidget()) || qobject_cast<QComboBox *>(w->parentWidget())
            || qobject_cast<QLineEdit *>(w->parentWidget()) || qobject_cast<QHeaderView *>(w) || qobject_cast<QTableView *>(w->parentWidget())
            || qobject_cast<QTreeView *>(w->parentWidget());
        if (!control || part || !w->isVisibleTo(page))
            continue;
        ++*checked;
        if (w->accessibleName().isEmpty())
            unnamed.append(QStringLiteral("%1 %2").arg(QString::fromLatin1(w->metaObject()->className()), w->objectName()));
    }
    return unnamed;
}

} // namespace GuiSteps
