#include "productdialog.h"

#include "client/money.h"
#include "client/serverclient.h"
#include "productvalidation.h"

#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>

namespace {
constexpr double maxPrice = 10000000.0;
constexpr int maxStock = 1000000000;
} // namespace

ProductDialog::ProductDialog(ServerClient *client, const std::optional<Api::Product> &existing, QWidget *parent)
    : FormDialog(existing ? tr("&Save") : tr("&Add product"), parent)
    , m_client(client)
    , m_name(new QLineEdit(this))
    , m_description(new QPlainTextEdit(this))
    , m_price(new QDoubleSpinBox(this))
    , m_stock(new QSpinBox(this))
    , m_imageUrl(new QLineEdit(this))
{
    setWindowTitle(existing ? tr("Edit product") : tr("New product"));

    m_description->setTabChangesFocus(true);
    m_description->setMaximumHeight(m_description->fontMetrics().lineSpacing() * 5);
    m_price->setRange(0.0, maxPrice);
    m_price->setDecimals(2);
    m_price->setGroupSeparatorShown(true);
    m_stock->setRange(0, maxStock);
    m_stock->setGroupSeparatorShown(true);
    m_imageUrl->setPlaceholderText(tr("https://… (optional)"));

    addField(tr("&Name:"), m_name, QStringLiteral("name"));
    addField(tr("&Description:"), m_description, QStringLiteral("description"));
    addField(tr("Regular &price:"), m_price, QStringLiteral("regularPrice"));
    addField(tr("Master &stock:"), m_stock, QStringLiteral("stock"));
    addField(tr("&Picture address:"), m_imageUrl, QStringLiteral("imageUrl"));

    if (existing) {
        m_productId = existing->id;
        m_name->setText(existing->name);
        m_description->setPlainText(existing->description);
        m_price->setValue(Api::Money::toAmount(existing->regularPriceCents));
        m_stock->setValue(int(qMin<qint64>(existing->stock, maxStock)));
        m_imageUrl->setText(existing->imageUrl);
    }

    connect(m_name, &QLineEdit::textChanged, this, [this] { fieldEdited(QStringLiteral("name")); });
    connect(m_description, &QPlainTextEdit::textChanged, this, [this] { fieldEdited(QStringLiteral("description")); });
    connect(m_price, &QDoubleSpinBox::valueChanged, this, [this] { fieldEdited(QStringLiteral("regularPrice")); });
    connect(m_stock, &QSpinBox::valueChanged, this, [this] { fieldEdited(QStringLiteral("stock")); });
    connect(m_imageUrl, &QLineEdit::textChanged, this, [this] { fieldEdited(QStringLiteral("imageUrl")); });
    revalidate();
}

Api::ProductDraft ProductDialog::draft() const
{
    Api::ProductDraft d;
    d.name = m_name->text().trimmed();
    d.description = m_description->toPlainText().trimmed();
    d.regularPriceCents = Api::Money::toCents(m_price->value());
    d.stock = m_stock->value();
    d.imageUrl = m_imageUrl->text().trimmed();
    return d;
}

QHash<QString, QString> ProductDialog::clientErrors() const
{
    return ProductValidation::check(draft());
}

void ProductDialog::submit()
{
    const auto done = [this](const Api::Result<Api::Product> &result) {
        if (!result.ok()) {
            submitFailed(result.error(), tr("The product was not saved."));
            return;
        }
        Q_EMIT productSaved(result.value());
        submitSucceeded();
    };
    if (m_productId)
        m_client->updateProduct(*m_productId, draft(), this, done);
    else
        m_client->createProduct(draft(), this, done);
}
