#pragma once

#include "testserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QSettings>
#include <QString>
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

} // namespace GuiSteps
