#pragma once

#include <QWidget>

#include <chrono>

class Poller;
class QAbstractItemModel;
class QLabel;
class QSettings;
class QSortFilterProxyModel;
class QTableView;

// A tab that shows a list the server keeps: a sortable table, refreshed on a timer
// while the tab is shown, with a red line when the last refresh failed and a hint while
// the list is empty. Refreshes never overlap and never block the GUI thread.
class PolledTableView : public QWidget
{
    Q_OBJECT

public:
    QTableView *table() const { return m_table; }
    // Refreshes now (or right after the refresh on its way).
    void refresh();

    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

protected:
    PolledTableView(std::chrono::milliseconds interval, const QString &settingsKey, QWidget *parent);

    // Shows `model` sorted by `sortRole`, at first by `sortColumn`.
    void setModel(QAbstractItemModel *model, int sortRole, int sortColumn);
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    void setPlaceholderText(const QString &text);

    // Starts the request; its handler calls pollSucceeded() or pollFailed().
    virtual void poll() = 0;
    void pollSucceeded();
    void pollFailed(const QString &message);
    void updatePlaceholder();

    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QString m_settingsKey;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLabel *m_problem;
    QLabel *m_placeholder;
    Poller *m_poller;
    bool m_loaded = false;
};
