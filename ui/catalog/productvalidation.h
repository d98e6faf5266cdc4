#pragma once

#include "client/product.h"

#include <QCoreApplication>
#include <QHash>
#include <QString>

// The console's own checks of a product before it is sent to the server.
class ProductValidation
{
    Q_DECLARE_TR_FUNCTIONS(ProductValidation)

public:
    // JSON field name -> what is wrong; empty when the draft looks right.
    static QHash<QString, QString> check(const Api::ProductDraft &draft);
};
