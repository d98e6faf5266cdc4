#include "ordersview.h"

#include "client/serverclient.h"
#include "orderstablemodel.h"
#include "widgets/confirmation.h"
#include "widgets/errorstyle.h"

#include <QAction>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

using namespace std::chrono_literals;

namespace {
const QString refundedState = QStringLiteral("Refunded");
}

OrdersView::OrdersView(ServerClient *client, qint64 saleId, QWidget *parent)
    : PolledTableView(2s, QStringLiteral("ordersView/header"), parent)
    , m_client(client)
    , m_saleId(saleId)
    , m_model(new OrdersTableModel(this))
    , m_state(new QComboBox(this))
    , m_shopper(new QLineEdit(this))
    , m_search(new QLineEdit(this))
    , m_result(new QLabel(this))
    , m_refund(new QAction(tr("&Refund…"), this))
    , m_compensate(new QAction(tr("&Compensate…"), this))
{
    setModel(m_model, OrdersTableModel::SortRole, OrdersTableModel::CreatedColumn);
    setPlaceholderText(tr("No orders for this sale match the filters."));
    table()->setAccessibleName(tr("Orders"));
    table()->horizontalHeader()->setSectionResizeMode(OrdersTableModel::OrderIdColumn, QHeaderView::ResizeToContents);
    proxy()->setFilterKeyColumn(OrdersTableModel::OrderIdColumn);
    proxy()->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_state->setObjectName(QStringLiteral("stateFilter"));
    m_state->setAccessibleName(tr("Filter by state"));
    m_state->addItem(tr("Any state"), QString());
    for (const QString &s : {QStringLiteral("Pending"), QStringLiteral("Confirmed"), QStringLiteral("Failed"), QStringLiteral("Expired"), refundedState})
        m_state->addItem(s, s);
    m_shopper->setObjectName(QStringLiteral("shopperFilter"));
    m_shopper->setAccessibleName(tr("Filter by shopper user id"));
    m_shopper->setPlaceholderText(tr("any shopper"));
    m_shopper->setValidator(new QIntValidator(1, INT_MAX, m_shopper));
    m_shopper->setClearButtonEnabled(true);
    m_search->setObjectName(QStringLiteral("orderSearch"));
    m_search->setAccessibleName(tr("Search by order id"));
    m_search->setPlaceholderText(tr("order id"));
    m_search->setClearButtonEnabled(true);
    m_result->setObjectName(QStringLiteral("orderActionResult"));
    m_result->setAccessibleName(tr("Result of the last order action"));
    m_result->setWordWrap(true);
    m_result->hide();

    auto *bar = new QHBoxLayout;
    auto *stateLabel = new QLabel(tr("S&tate:"), this);
    stateLabel->setBuddy(m_state);
    auto *shopperLabel = new QLabel(tr("S&hopper:"), this);
    shopperLabel->setBuddy(m_shopper);
    auto *searchLabel = new QLabel(tr("Fin&d order:"), this);
    searchLabel->setBuddy(m_search);
    bar->addWidget(stateLabel);
    bar->addWidget(m_state);
    bar->addWidget(shopperLabel);
    bar->addWidget(m_shopper);
    bar->addWidget(searchLabel);
    bar->addWidget(m_search, 1);
    auto *box = static_cast<QVBoxLayout *>(layout());
    box->insertLayout(0, bar);
    box->insertWidget(1, m_result);

    connect(m_state, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setItems({});
        refresh();
    });
    connect(m_shopper, &QLineEdit::editingFinished, this, [this] {
        m_model->setItems({});
        refresh();
    });
    connect(m_search, &QLineEdit::textChanged, proxy(), &QSortFilterProxyModel::setFilterFixedString);

    m_refund->setShortcut(QKeySequence(tr("Ctrl+Shift+R")));
    m_refund->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_compensate->setShortcut(QKeySequence(tr("Ctrl+Shift+M")));
    m_compensate->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_refund);
    addAction(m_compensate);
    connect(m_refund, &QAction::triggered, this, &OrdersView::refundSelected);
    connect(m_compensate, &QAction::triggered, this, &OrdersView::compensateSelected);
    table()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(table(), &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        const QModelIndex index = table()->indexAt(at);
        if (!index.isValid())
            return;
        table()->setCurrentIndex(index);
        auto *menu = new QMenu(this);
        menu->setObjectName(QStringLiteral("orderMenu"));
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->addAction(m_refund);
        menu->addAction(m_compensate);
        menu->popup(table()->viewport()->mapToGlobal(at));
    });
    connect(table()->selectionModel(), &QItemSelectionModel::currentChanged, this, &OrdersView::updateActions);
    updateActions();
}

void OrdersView::poll()
{
    Api::OrderFilter filter;
    const QString state = m_state->currentData().toString();
    filter.status = state == refundedState ? QStringLiteral("Confirmed") : state;
    filter.userId = m_shopper->text().toLongLong();
    m_client->listOrders(filter, this, [this, state](const Api::Result<QList<Api::Order>> &result) {
        if (!result.ok()) {
            pollFailed(tr("Cannot load the orders: %1").arg(result.error().message()));
            return;
        }
        QList<Api::Order> ofSale;
        for (const Api::Order &o : result.value()) {
            if (o.saleId == m_saleId && (state != refundedState || o.refunded))
                ofSale.append(o);
        }
        m_model->setItems(ofSale);
        pollSucceeded();
        updateActions();
    });
}

const Api::Order *OrdersView::selectedOrder() const
{
    const QModelIndex index = proxy()->mapToSource(table()->currentIndex());
    return index.isValid() ? &m_model->item(index.row()) : nullptr;
}

bool OrdersView::selectOrder(const QString &orderId)
{
    const int row = m_model->rowOf(orderId);
    if (row < 0)
        return false;
    const QModelIndex index = proxy()->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return false;
    table()->setCurrentIndex(index);
    table()->scrollTo(index);
    return true;
}

void OrdersView::updateActions()
{
    const Api::Order *o = selectedOrder();
    m_refund->setEnabled(o && o->status == QLatin1String("Confirmed") && !o->refunded);
    m_compensate->setEnabled(o && o->status == QLatin1String("Pending"));
}

void OrdersView::showResult(const QString &text, bool failed)
{
    m_result->setText(text);
    if (failed)
        ErrorStyle::apply(m_result);
    else
        m_result->setPalette(QPalette());
    m_result->show();
    Q_EMIT message(text);
}

void OrdersView::refundSelected()
{
    act(Action::Refund);
}

void OrdersView::compensateSelected()
{
    act(Action::Compensate);
}

void OrdersView::act(Action action)
{
    const Api::Order *o = selectedOrder();
    if (!o)
        return;
    const QString id = o->id;
    const bool refund = action == Action::Refund;
    const QString question = refund
        ? tr("Refund order %1 (user %2)? The payment is returned and the unit goes back to the sale.")
        : tr("Compensate order %1 (user %2)? Its pending reservation is released: the order fails and its units go back to the sale.");
    Confirmation::ask(this, refund ? tr("Refund Order") : tr("Compensate Order"), question.arg(id).arg(o->userId),
                      refund ? tr("&Refund") : tr("C&ompensate"), [this, id, refund] {
                          showResult(refund ? tr("Refunding order %1…").arg(id) : tr("Compensating order %1…").arg(id), false);
                          auto answered = [this, id, refund](const Api::Result<Api::Order> &r) {
                              if (r.ok()) {
                                  m_model->upsert(r.value());
                                  showResult(refund ? tr("Order %1 refunded.").arg(id) : tr("Order %1 compensated: now %2.").arg(id, r.value().state()), false);
                              } else {
                                  showResult((refund ? tr("Order %1 was not refunded: %2") : tr("Order %1 was not compensated: %2"))
                                                 .arg(id, r.error().message()),
                                             true);
                              }
                              updateActions();
                          };
                          if (refund)
                              m_client->refundOrder(id, this, answered);
                          else
                              m_client->compensateOrder(id, this, answered);
                      });
}
