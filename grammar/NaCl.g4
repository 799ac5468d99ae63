// NaCl configuration language (see shared docs: nacl-language.md).
// Syntax only: names, types, ranges, nesting limits and escapes are checked by
// the front end in nacl/, which turns this parse tree into an AST.
grammar NaCl;

program : element* EOF ;

// Entry points for parsing a large file in pieces (see nacl/src/parse/chunked.cpp):
// a run of statements of one block, or the condition of an `if`.
statementList : statement* EOF ;
conditionOnly : condition EOF ;

// Top-level elements, in any order.
element
    : typeName=IDENT name=IDENT value                         # typedElement
    | kind=IDENT '::' subtype=IDENT name=IDENT block          # functionElement
    | path ':' value                                          # assignmentElement
    ;

path : IDENT ('.' IDENT)* ;

// ---- values -------------------------------------------------------------

// Left-factored (`atom ('-' atom)?`) so choosing an alternative needs one
// token of lookahead: prediction is the parser's main cost on large files.
value
    : '{' (pair (',' pair)* ','?)? '}'                        # objectValue
    | '[' (value (',' value)* ','?)? ']'                      # listValue
    | low=atom ('-' high=atom)?                               # atomValue
    ;

pair : key=IDENT ':' value ;

atom
    : address=(IPV4 | IPV6) ('/' length=INT)?                 # addressAtom
    | INT                                                     # intAtom
    | STRING                                                  # stringAtom
    | (TRUE | FALSE)                                          # boolAtom
    | path                                                    # nameAtom
    | BAD_DOTTED                                              # badDottedAtom
    ;

// ---- functions ----------------------------------------------------------

block : '{' statement* '}' ;

statement
    : IF '(' condition ')' block elseIf* elseBlock?           # ifStatement
    | kind=IDENT '::' subtype=IDENT block                     # nestedFunction
    | name=IDENT (open='(' (value (',' value)* ','?)? ')')?   # actionStatement
    ;

elseIf : ELSE IF '(' condition ')' block ;
elseBlock : ELSE block ;

// Precedence: not > and > or. Chains of and/or are loops, not recursion.
condition : andCondition (OR andCondition)* ;
andCondition : notCondition (AND notCondition)* ;
notCondition
    : NOT notCondition                                        # negation
    | '(' condition ')'                                       # parenthesised
    | lhs=value op=(EQ | NE | LT | GT | LE | GE | IN) rhs=value   # comparison
    ;

// ---- lexer --------------------------------------------------------------

IF : 'if' ;
ELSE : 'else' ;
TRUE : 'true' ;
FALSE : 'false' ;
IN : 'in' | 'IN' ;
AND : 'and' | '&&' ;
OR : 'or' | '||' ;
NOT : 'not' | '!' ;

EQ : '==' ;
NE : '!=' ;
LE : '<=' ;
GE : '>=' ;
LT : '<' ;
GT : '>' ;
DCOLON : '::' ;
COLON : ':' ;
DOT : '.' ;
COMMA : ',' ;
DASH : '-' ;
SLASH : '/' ;
LBRACE : '{' ;
RBRACE : '}' ;
LBRACK : '[' ;
RBRACK : ']' ;
LPAREN : '(' ;
RPAREN : ')' ;

IPV4 : DIGITS '.' DIGITS '.' DIGITS '.' DIGITS ;
// Dotted numbers that are not four parts: reported as a malformed address.
BAD_DOTTED : DIGITS ('.' DIGITS)+ ;
// Loose shape only (any hex digits, colons and dots around a `::`, or eight
// groups); the front end validates the address and reports a bad one.
IPV6
    : [0-9a-fA-F:]* '::' [0-9a-fA-F:.]*
    | H16 ':' H16 ':' H16 ':' H16 ':' H16 ':' H16 ':' (H16 ':' H16 | V4TAIL)
    ;
INT : DIGITS ;
IDENT : [a-zA-Z] [a-zA-Z0-9_-]* ;

// Escapes are validated by the front end so a bad one gets a precise message.
STRING : '"' ('\\' ~[\r\n] | ~["\\\r\n])* '"' ;
UNTERMINATED_STRING : '"' ('\\' ~[\r\n] | ~["\\\r\n])* ;

LINE_COMMENT : ('#' | '//') ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
// A comment that runs to the end of the file (no `*/`), reported by the front end.
UNTERMINATED_COMMENT : '/*' ( ~'*' | '*'+ ~[*/] )* '*'* ;
WS : [ \t\r\n\f]+ -> skip ;

// Anything else becomes a token the front end reports, so the lexer itself
// never prints an error.
ERROR_CHAR : . ;

fragment DIGITS : [0-9]+ ;
fragment HEX : [0-9a-fA-F] ;
fragment H16 : HEX HEX? HEX? HEX? ;
fragment V4TAIL : DIGITS '.' DIGITS '.' DIGITS '.' DIGITS ;
