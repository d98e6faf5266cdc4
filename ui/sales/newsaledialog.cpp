#include "newsaledialog.h"

#include "client/money.h"
#include "client/serverclient.h"
#include "salevalidation.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

namespace {

const QString dateTimeFormat = QStringLiteral("yyyy-MM-dd HH:mm");
constexpr int defaultDurationSecs = 2 * 3600;
constexpr int maxQuantity = 1000000000;
constexpr double maxPrice = 10000000.0;

// The next whole five minutes, at least five minutes from now: a sensible first start.
QDateTime defaultStart()
{
    const qint64 fiveMinutes = 5 * 60;
    const qint64 soonest = QDateTime::currentSecsSinceEpoch() + fiveMinutes;
    return QDateTime::fromSecsSinceEpoch((soonest / fiveMinutes + 1) * fiveMinutes);
}

QDateTimeEdit *newDateTimeEdit(const QDateTime &value, QWidget *parent)
{
    auto *edit = new QDateTimeEdit(value, parent);
    edit->setDisplayFormat(dateTimeFormat);
    edit->setCalendarPopup(true);
    edit->setTimeSpec(Qt::LocalTime);
    return edit;
}

} // namespace

NewSaleDialog::NewSaleDialog(ServerClient *client, QWidget *parent)
    : FormDialog(tr("&Schedule sale"), parent)
    , m_client(client)
    , m_product(new QComboBox(this))
    , m_stock(new QLabel(this))
    , m_name(new QLineEdit(this))
    , m_price(new QDoubleSpinBox(this))
    , m_quantity(new QSpinBox(this))
    , m_perUserLimit(new QSpinBox(this))
    , m_start(newDateTimeEdit(defaultStart(), this))
    , m_end(newDateTimeEdit(defaultStart().addSecs(defaultDurationSecs), this))
{
    setWindowTitle(tr("New sale"));

    m_product->setPlaceholderText(tr("Loading products…"));
    m_stock->setAccessibleName(tr("Master stock"));
    m_stock->setObjectName(QStringLiteral("stock"));
    m_product->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_name->setMaxLength(200);
    m_name->setPlaceholderText(tr("Black Friday phones"));
    m_price->setRange(0.0, maxPrice);
    m_price->setDecimals(2);
    m_price->setGroupSeparatorShown(true);
    m_quantity->setRange(0, maxQuantity);
    m_quantity->setValue(1);
    m_quantity->setGroupSeparatorShown(true);
    m_perUserLimit->setRange(0, maxQuantity);
    m_perUserLimit->setValue(1);

    addField(tr("&Product:"), m_product, QStringLiteral("productId"));
    form()->addRow(tr("In stock:"), m_stock);
    addField(tr("&Name:"), m_name, QStringLiteral("name"));
    addField(tr("Sale &price:"), m_price, QStringLiteral("salePrice"));
    addField(tr("&Quantity:"), m_quantity, QStringLiteral("quantity"));
    addField(tr("Per-user &limit:"), m_perUserLimit, QStringLiteral("perUserLimit"));
    addField(tr("&Starts (local time):"), m_start, QStringLiteral("startTime"));
    addField(tr("&Ends (local time):"), m_end, QStringLiteral("endTime"));

    connect(m_product, &QComboBox::currentIndexChanged, this, [this] {
        productChanged();
        fieldEdited(QStringLiteral("productId"));
    });
    connect(m_name, &QLineEdit::textEdited, this, [this] {
        m_nameEdited = true;
        fieldEdited(QStringLiteral("name"));
    });
    connect(m_price, &QDoubleSpinBox::valueChanged, this, [this] { fieldEdited(QStringLiteral("salePrice")); });
    connect(m_quantity, &QSpinBox::valueChanged, this, [this] { fieldEdited(QStringLiteral("quantity")); });
    connect(m_perUserLimit, &QSpinBox::valueChanged, this, [this] { fieldEdited(QStringLiteral("perUserLimit")); });
    connect(m_start, &QDateTimeEdit::dateTimeChanged, this, [this] { fieldEdited(QStringLiteral("startTime")); });
    connect(m_end, &QDateTimeEdit::dateTimeChanged, this, [this] { fieldEdited(QStringLiteral("endTime")); });

    revalidate();
    loadProducts();
}

void NewSaleDialog::loadProducts()
{
    m_client->listProducts(this, [this](const Api::Result<QList<Api::Product>> &result) {
        m_productsLoaded = true;
        if (!result.ok()) {
            m_product->setPlaceholderText(tr("No products"));
            errors().setServerErrors({{QStringLiteral("productId"), tr("Cannot load the products: %1").arg(result.error().message())}});
            revalidate();
            return;
        }
        m_product->setPlaceholderText(result.value().isEmpty() ? tr("No products: add one in the catalog first")
                                                               : tr("Choose a product"));
        {
            const QSignalBlocker blocker(m_product);
            for (const Api::Product &p : result.value()) {
                m_products.insert(p.id, p);
                m_product->addItem(tr("%1 (regular price %2)").arg(p.name, Api::Money::format(p.regularPriceCents)), p.id);
            }
            m_product->setCurrentIndex(m_product->count() > 0 ? 0 : -1);
        }
        productChanged();
        revalidate();
    });
}

const Api::Product *NewSaleDialog::currentProduct() const
{
    const auto it = m_products.constFind(m_product->currentData().toLongLong());
    return it == m_products.constEnd() ? nullptr : &*it;
}

void NewSaleDialog::productChanged()
{
    m_stockLevel.reset();
    m_stock->clear();
    const Api::Product *product = currentProduct();
    if (!product)
        return;
    if (!m_nameEdited)
        m_name->setText(tr("%1 flash sale").arg(product->name));
    m_price->setValue(Api::Money::toAmount(product->regularPriceCents / 2)); // half price to begin with
    m_stock->setText(tr("checking…"));
    const qint64 productId = product->id;
    m_client->getStock(productId, this, [this, productId](const Api::Result<Api::StockLevel> &result) {
        if (!currentProduct() || currentProduct()->id != productId)
            return; // the merchant chose another product meanwhile
        if (!result.ok()) {
            m_stock->setText(tr("unknown (%1)").arg(result.error().message()));
            return;
        }
        m_stockLevel = result.value().level;
        m_stock->setText(QLocale().toString(*m_stockLevel));
        revalidate();
    });
}

Api::SaleDraft NewSaleDialog::draft() const
{
    Api::SaleDraft d;
    d.name = m_name->text().trimmed();
    d.productId = currentProduct() ? currentProduct()->id : 0;
    d.salePriceCents = Api::Money::toCents(m_price->value());
    d.quantity = m_quantity->value();
    d.perUserLimit = m_perUserLimit->value();
    d.startTime = m_start->dateTime().toUTC();
    d.endTime = m_end->dateTime().toUTC();
    return d;
}

QHash<QString, QString> NewSaleDialog::clientErrors() const
{
    SaleLimits limits;
    if (const Api::Product *product = currentProduct())
        limits.regularPriceCents = product->regularPriceCents;
    limits.stock = m_stockLevel;
    QHash<QString, QString> errors = SaleValidation::check(draft(), limits);
    if (!m_productsLoaded)
        errors.remove(QStringLiteral("productId")); // no complaint before the list is there
    return errors;
}

bool NewSaleDialog::isReady() const
{
    return m_productsLoaded && currentProduct();
}

void NewSaleDialog::submit()
{
    m_client->createSale(draft(), this, [this](const Api::Result<Api::Sale> &result) {
        if (result.ok()) {
            Q_EMIT saleCreated(result.value());
            submitSucceeded();
            return;
        }
        Api::Error error = result.error();
        if (error.status == 409 && error.fieldErrors.isEmpty()) // master stock cannot cover the quantity
            error.fieldErrors.insert(QStringLiteral("quantity"), error.message());
        submitFailed(error, tr("The sale was not created."));
    });
}
